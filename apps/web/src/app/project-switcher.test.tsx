// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage, readSession } from '../api/session-store.js';
import { createFakeApi, metricsRow } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';

const projects = [
  { id: 'proj_a', name: 'default', created_at: '2026-11-21T00:00:00.000Z' },
  { id: 'proj_b', name: 'support bot', created_at: '2026-11-21T00:00:00.000Z' },
];

describe('the project switcher', () => {
  afterEach(cleanup);

  it('lets an instance-admin key act in another project, sending x-flywheel-project from then on', async () => {
    const api = createFakeApi({
      'GET /api/projects/current': (request) => ({
        body:
          projects.find((project) => project.id === request.headers.get('x-flywheel-project')) ?? projects[0],
      }),
      'GET /api/projects': () => ({ body: { data: projects } }),
      'GET /api/metrics': () => ({
        body: { from: 'a', to: 'b', group_by: 'time', data: [], total: metricsRow() },
      }),
    });
    const storage = createMemoryStorage();
    storage.setItem('flywheel.apiKey', 'fw_sk_admin');
    renderApp({ path: '/', fetch: api.fetch, storage });

    const select = (await screen.findByRole(
      'combobox',
      { name: 'Project' },
      { timeout: 10_000 },
    )) as HTMLSelectElement;
    expect(select.value).toBe('proj_a');
    expect(api.requests.every((request) => !request.headers.has('x-flywheel-project'))).toBe(true);

    const before = api.requests.length;
    await userEvent.selectOptions(select, 'proj_b');
    await waitFor(() =>
      expect((screen.getByRole('combobox', { name: 'Project' }) as HTMLSelectElement).value).toBe('proj_b'),
    );
    // The Dashboard is a lazy chunk (with ECharts): loading it in a busy test run takes a while.
    await waitFor(
      () => expect(api.requests.slice(before).some((request) => request.path === '/api/metrics')).toBe(true),
      { timeout: 15_000 },
    );
    const after = api.requests.slice(before);
    expect(after.every((request) => request.headers.get('x-flywheel-project') === 'proj_b')).toBe(true);
    expect(readSession(storage)?.projectId).toBe('proj_b');
  });
});
