// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { createFakeApi, restError } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import { experiment } from './experiment-test-data.js';
import { ExperimentsPage } from './experiments-page.js';

const summaryRow = (providerId: string, passed: number, results: number) => ({
  prompt_id: 'support/triage',
  provider_id: providerId,
  results,
  passed,
  failed: results - passed,
  errored: 0,
  pass_rate: passed / results,
});

const runs = [
  experiment({
    id: 'exp_new',
    name: 'candidate',
    created_at: '2026-11-21T10:00:00.000Z',
    result_count: 20,
    summary: {
      rows: [summaryRow('flywheel:chat-default', 9, 10), summaryRow('flywheel:chat-small', 6, 10)],
    },
  }),
  experiment({
    id: 'exp_running',
    name: 'in flight',
    status: 'running',
    created_at: '2026-11-21T09:00:00.000Z',
  }),
  experiment({ id: 'exp_old', name: 'baseline', created_at: '2026-11-20T10:00:00.000Z', result_count: 2 }),
];

function renderList(api: ReturnType<typeof createFakeApi>) {
  const storage = createMemoryStorage();
  storage.setItem('flywheel.apiKey', 'fw_sk_test');
  return renderApp({
    path: '/experiments',
    fetch: api.fetch,
    storage,
    children: (
      <Routes>
        <Route path="/experiments/*" element={<ExperimentsPage />} />
      </Routes>
    ),
  });
}

describe('the experiments list', () => {
  afterEach(cleanup);

  it('shows each run with its status, targets, pass rate from its summary and result count', async () => {
    const api = createFakeApi({ 'GET /api/experiments': () => ({ body: { data: runs } }) });
    renderList(api);
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    const cells = (index: number) =>
      within(rows[index]!)
        .getAllByRole('cell')
        .map((cell) => cell.textContent);
    expect(cells(0).slice(1, 6)).toEqual([
      'candidate',
      'Completed',
      'triage × chat-defaulttriage × chat-small',
      '75% (15/20)',
      '20',
    ]);
    // No summary (still running): the pass rate is unknown, not zero.
    expect(cells(1).slice(1, 5)).toEqual([
      'in flight',
      'Running',
      'triage × chat-defaulttriage × chat-small',
      '—',
    ]);
    expect(within(rows[0]!).getByRole('link', { name: 'candidate' }).getAttribute('href')).toBe(
      '/experiments/exp_new',
    );
  });

  it('compares the two runs selected, the older as the baseline', async () => {
    const api = createFakeApi({ 'GET /api/experiments': () => ({ body: { data: runs } }) });
    renderList(api);
    const compare = await screen.findByRole('button', { name: 'Compare selected' });
    expect((compare as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole('checkbox', { name: /^Select candidate/ }));
    await userEvent.click(screen.getByRole('checkbox', { name: /^Select in flight/ }));
    // A third choice replaces the first.
    await userEvent.click(screen.getByRole('checkbox', { name: /^Select baseline/ }));
    expect((screen.getByRole('checkbox', { name: /^Select candidate/ }) as HTMLInputElement).checked).toBe(
      false,
    );
    await userEvent.click(compare);
    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe('/experiments/compare/exp_old/exp_running'),
    );
  });

  it('says how to record a run when there is none', async () => {
    const api = createFakeApi({ 'GET /api/experiments': () => ({ body: { data: [] } }) });
    renderList(api);
    expect(await screen.findByRole('heading', { name: 'No experiments yet' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Compare selected' })).toBeNull();
  });

  it('shows the server’s message when the list cannot be loaded', async () => {
    const api = createFakeApi({
      'GET /api/experiments': () => ({
        status: 400,
        body: restError('validation_failed', 'limit must be at most 500.'),
      }),
    });
    renderList(api);
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('limit must be at most 500.'),
    );
    expect(screen.getByRole('alert').textContent).toContain('validation_failed');
  });
});
