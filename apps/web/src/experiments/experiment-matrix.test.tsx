// @vitest-environment jsdom
import { createFlywheelClient } from '@flywheel/sdk';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { createFakeApi } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import { ExperimentMatrix } from './experiment-matrix.js';
import { buildResultMatrix } from './experiment-matrix-model.js';
import { loadResults } from './experiment-results.js';
import { experiment, result } from './experiment-test-data.js';
import { ExperimentsPage } from './experiments-page.js';

const small = 'flywheel:chat-small';
const results = [
  // Stored out of order: the matrix follows the dataset's order.
  result({ case_key: 'refund', case_index: 1, status: 'failed', score: 0.25, output: 'tech' }),
  result({ case_key: 'charged-twice', case_index: 0 }),
  result({
    case_key: 'charged-twice',
    case_index: 0,
    provider_id: small,
    status: 'errored',
    score: 0,
    output: null,
  }),
  result({ case_key: 'login', case_index: 2, provider_id: small, score: 0.75 }),
];

describe('the results matrix', () => {
  afterEach(cleanup);

  it('lays results out as cases down and prompt × model across, with each cell’s outcome and score', () => {
    const matrix = buildResultMatrix(experiment(), results);
    render(<ExperimentMatrix matrix={matrix} rows={matrix.rows} selected={undefined} onSelect={() => {}} />);
    const table = screen.getByRole('table');
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((header) => header.textContent);
    expect(headers).toEqual(['Case', 'triage × chat-default', 'triage × chat-small']);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((row) => within(row).getByRole('rowheader').querySelector('.exp-case-key')?.textContent),
    ).toEqual(['charged-twice', 'refund', 'login']);
    expect(rows[0]!.querySelector('.exp-case-vars')?.textContent).toBe('ticket: I was charged twice');
    const cells = rows.map((row) =>
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    );
    expect(cells).toEqual([
      ['✓ Pass1.00', '! Error0.00'],
      ['✗ Fail0.25', 'No result'],
      ['No result', '✓ Pass0.75'],
    ]);
    expect(within(rows[1]!).getAllByRole('cell')[0]!.getAttribute('data-status')).toBe('failed');
    expect(
      screen.getByRole('button', {
        name: 'refund under triage × chat-default: failed, score 0.25. Show the output',
      }),
    ).toBeTruthy();
  });

  it('adds a column for a target only the results name, and names repeated cases', () => {
    const matrix = buildResultMatrix(experiment({ targets: [] }), [
      result({ repeat: 0 }),
      result({ repeat: 1, status: 'failed', score: 0 }),
    ]);
    expect(matrix.columns.map((column) => column.label)).toEqual(['support/triage × flywheel:chat-default']);
    render(<ExperimentMatrix matrix={matrix} rows={matrix.rows} selected={undefined} onSelect={() => {}} />);
    expect(
      screen.getAllByRole('rowheader').map((header) => header.querySelector('.exp-case-key')?.textContent),
    ).toEqual(['charged-twice (repeat 1)', 'charged-twice (repeat 2)']);
  });

  it('tells which cell was clicked', async () => {
    const matrix = buildResultMatrix(experiment(), results);
    const onSelect = vi.fn();
    render(<ExperimentMatrix matrix={matrix} rows={matrix.rows} selected={undefined} onSelect={onSelect} />);
    await userEvent.click(screen.getByRole('button', { name: /^login under triage × chat-small/ }));
    expect(onSelect).toHaveBeenCalledWith(
      { rowId: 'login\u00000', column: 1 },
      expect.any(HTMLButtonElement),
    );
  });
});

describe("a run's page", () => {
  afterEach(cleanup);

  const renderRun = (api: ReturnType<typeof createFakeApi>, path = '/experiments/exp_1') => {
    const storage = createMemoryStorage();
    storage.setItem('flywheel.apiKey', 'fw_sk_test');
    return renderApp({
      path,
      fetch: api.fetch,
      storage,
      children: (
        <Routes>
          <Route path="/experiments/*" element={<ExperimentsPage />} />
        </Routes>
      ),
    });
  };

  it('opens a clicked cell’s output as text with its assertions, and closes it with Escape', async () => {
    const hostile = '<script>window.__xss=1</script> Your refund is on its way.';
    const api = createFakeApi({
      'GET /api/experiments/exp_1': () => ({ body: experiment({ result_count: 2 }) }),
      'GET /api/experiments': () => ({ body: { data: [experiment()] } }),
      'GET /api/experiments/exp_1/results': () => ({
        body: {
          data: [
            result(),
            result({
              case_key: 'refund',
              case_index: 1,
              output: hostile,
              status: 'failed',
              score: 0,
              trace_id: 'tr_9',
              assertions: [
                {
                  type: 'icontains',
                  result: { status: 'scored', pass: false, score: 0, reason: 'Expected "billing".' },
                },
                {
                  type: 'llm-rubric',
                  result: { status: 'errored', error: { code: 'judge_failed', message: 'No answer' } },
                },
              ],
            }),
          ],
          next_cursor: null,
        },
      }),
    });
    const { container } = renderRun(api);
    await screen.findByRole('heading', { name: 'triage nightly', level: 1 });
    // No summary stored: the figures per target come from the results.
    const summary = await screen.findByRole('table', { name: 'By prompt × model' });
    expect(within(summary).getAllByRole('row')[1]!.textContent).toContain('50%');
    expect(screen.getByText(/Computed from the 2 results loaded/)).toBeTruthy();

    const cell = screen.getByRole('button', { name: /^refund under triage × chat-default: failed/ });
    await userEvent.click(cell);
    const detail = screen.getByRole('region', { name: /refund/ });
    expect(within(detail).getByTestId('result-output').textContent).toBe(hostile);
    expect(container.querySelector('script')).toBeNull();
    expect(detail.textContent).toContain('Expected "billing".');
    expect(detail.textContent).toContain('No answer (judge_failed)');
    expect(within(detail).getByRole('link', { name: 'tr_9' }).getAttribute('href')).toBe('/traces/tr_9');
    expect(cell.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('location').textContent).toBe('/experiments/exp_1?case=refund&target=0');
    expect(document.activeElement?.tagName).toBe('H2');

    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: /refund/ })).toBeNull();
    expect(document.activeElement).toBe(cell);
  });

  it('shows the server’s message when the run cannot be loaded', async () => {
    const api = createFakeApi({
      'GET /api/experiments/exp_1': () => ({
        status: 404,
        body: { error: { code: 'experiment_not_found', message: 'No experiment exp_1.', request_id: 'r' } },
      }),
    });
    renderRun(api);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('No experiment exp_1.');
    expect(alert.textContent).toContain('experiment_not_found');
  });

  it('reads every page of results up to the cap, and says when there are more', async () => {
    const pages = new Map([
      [undefined, { data: [result({ case_key: 'a' }), result({ case_key: 'b' })], next_cursor: '2' }],
      ['2', { data: [result({ case_key: 'c' }), result({ case_key: 'd' })], next_cursor: '4' }],
      ['4', { data: [result({ case_key: 'e' })], next_cursor: null }],
    ]);
    const api = createFakeApi({
      'GET /api/experiments/exp_1/results': (request) => {
        const page = pages.get(request.search.get('cursor') ?? undefined)!;
        const limit = Number(request.search.get('limit'));
        return { body: { data: page.data.slice(0, limit), next_cursor: page.next_cursor } };
      },
    });
    const client = createFlywheelClient({
      baseUrl: 'http://flywheel.test',
      apiKey: 'fw_sk_test',
      fetch: api.fetch,
    });
    const all = await loadResults(client, 'exp_1');
    expect(all.truncated).toBe(false);
    expect(all.results.map((item) => item.case_key)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const capped = await loadResults(client, 'exp_1', 4);
    expect(capped.truncated).toBe(true);
    expect(capped.results).toHaveLength(4);
  });

  it('keeps “only failures” in the URL and says when every case passed', async () => {
    const api = createFakeApi({
      'GET /api/experiments/exp_1': () => ({ body: experiment({ result_count: 1 }) }),
      'GET /api/experiments': () => ({ body: { data: [] } }),
      'GET /api/experiments/exp_1/results': () => ({ body: { data: [result()], next_cursor: null } }),
    });
    renderRun(api);
    await userEvent.click(
      await screen.findByRole('checkbox', { name: 'Only cases with a failure or error' }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe('/experiments/exp_1?problems=1'),
    );
    expect(screen.getByRole('heading', { name: 'Every case passed' })).toBeTruthy();
  });
});
