// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { createFakeApi, restError } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';

// The first render loads the page's chunk and its data: allow for a busy machine.
const slow = { timeout: 5000 };

const summary = (name: string, labels: Record<string, number> = { latest: 1 }) => ({
  name,
  type: 'text',
  latest_version: 1,
  labels,
  created_at: '2026-11-21T10:00:00.000Z',
  updated_at: '2026-11-21T10:00:00.000Z',
});

function renderList(path: string, answer: () => { status?: number; body: unknown }) {
  const storage = createMemoryStorage();
  storage.setItem('flywheel.apiKey', 'fw_sk_test');
  renderApp({ path, fetch: createFakeApi({ 'GET /api/prompts': answer }).fetch, storage });
}

describe('the prompt list', () => {
  afterEach(cleanup);

  it('lists every prompt with its labels, and narrows to a folder', async () => {
    renderList('/prompts', () => ({
      body: {
        data: [
          summary('support/triage', { latest: 2, production: 1 }),
          summary('support/billing/refund'),
          summary('<img src=x onerror=alert(1)>'),
        ],
      },
    }));
    const table = await screen.findByRole('table', { name: 'All prompts' }, slow);
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    expect(within(table).getByText('production → v1')).toBeTruthy();
    expect(within(table).getByRole('link', { name: '<img src=x onerror=alert(1)>' })).toBeTruthy();
    expect(table.querySelector('img')).toBeNull();

    const folders = screen.getByRole('navigation', { name: 'Folders' });
    await userEvent.click(within(folders).getByRole('link', { name: /^billing\// }));
    const inFolder = await screen.findByRole('table', { name: 'Prompts in support/billing/' });
    expect(within(inFolder).getAllByRole('row')).toHaveLength(2);
    expect(screen.getByTestId('location').textContent).toBe('/prompts?folder=support%2Fbilling');
  });

  it('says how to get a first prompt when there is none', async () => {
    renderList('/prompts', () => ({ body: { data: [] } }));
    await screen.findByRole('heading', { name: 'No prompts yet' });
    expect(screen.getByRole('link', { name: 'Create the first prompt' }).getAttribute('href')).toBe(
      '/prompts/-/new',
    );
  });

  it("shows the server's error", async () => {
    renderList('/prompts', () => ({
      status: 403,
      body: restError('insufficient_scope', 'This key cannot read.'),
    }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load prompts');
    expect(alert.textContent).toContain('This key cannot read.');
  });
});
