// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage, readSession } from '../api/session-store.js';
import { createFakeApi, metricsRow, restError } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';

const goodKey = `fw_sk_${'G'.repeat(43)}`;
const project = { id: 'proj_1', name: 'default', created_at: '2026-11-21T00:00:00.000Z' };
const emptyMetrics = (group_by: string) => ({
  body: { from: 'a', to: 'b', group_by, data: [], total: metricsRow() },
});

function fakeServer() {
  return createFakeApi({
    'GET /api/projects/current': (request) =>
      request.headers.get('authorization') === `Bearer ${goodKey}`
        ? { body: project }
        : { status: 401, body: restError('invalid_api_key', 'The API key is unknown or was revoked.') },
    'GET /api/projects': () => ({ status: 403, body: restError('instance_admin_required', 'Only admins.') }),
    'GET /api/metrics': (request) => emptyMetrics(request.search.get('group_by') ?? 'time'),
  });
}

describe('signing in', () => {
  afterEach(cleanup);

  it("sends a signed-out visitor to sign-in and shows the server's message and code for a refused key", async () => {
    const api = fakeServer();
    renderApp({ path: '/?range=7d', fetch: api.fetch });
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();

    await userEvent.type(screen.getByLabelText('API key'), 'fw_sk_wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The API key is unknown or was revoked.');
    expect(alert.textContent).toContain('invalid_api_key');
    expect(screen.getByLabelText('API key').getAttribute('aria-invalid')).toBe('true');
    // The key was checked against the server with GET /api/projects/current.
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toContain(
      'GET /api/projects/current',
    );
  });

  it('keeps an accepted key in session storage and returns to the page first asked for', async () => {
    const api = fakeServer();
    const storage = createMemoryStorage();
    renderApp({ path: '/?range=7d', fetch: api.fetch, storage });
    await userEvent.type(await screen.findByLabelText('API key'), goodKey);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    // The Dashboard is a lazy chunk (with ECharts): loading it in a busy test run takes a while.
    expect(
      await screen.findByRole('heading', { name: 'Dashboard', level: 1 }, { timeout: 15_000 }),
    ).toBeTruthy();
    expect(screen.getByTestId('location').textContent).toBe('/?range=7d');
    expect(readSession(storage)).toEqual({ apiKey: goodKey, projectId: undefined });
    expect(await screen.findByText('No model calls in this time range', {}, { timeout: 5_000 })).toBeTruthy();
    // A key that is not an instance admin's sees its project's name, not a switcher.
    expect(await screen.findByText('default')).toBeTruthy();
    expect(screen.queryByRole('combobox', { name: 'Project' })).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(readSession(storage)).toBeUndefined();
  });

  it('ends the session with a notice when the server stops accepting the key', async () => {
    const storage = createMemoryStorage();
    storage.setItem('flywheel.apiKey', 'fw_sk_revoked');
    const api = fakeServer();
    renderApp({ path: '/', fetch: api.fetch, storage });
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toContain('no longer accepts this API key'),
    );
    expect(readSession(storage)).toBeUndefined();
  });
});
