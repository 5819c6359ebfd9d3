// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { createFakeApi } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import { ComparisonTarget } from './comparison-target.js';
import { VerdictBadge } from './experiment-badges.js';
import { comparison, experiment } from './experiment-test-data.js';
import { ExperimentsPage } from './experiments-page.js';

describe('verdicts', () => {
  afterEach(cleanup);

  it('says each verdict in words and a shape, not by colour alone', () => {
    const { container } = render(
      <>
        <VerdictBadge verdict="improved" />
        <VerdictBadge verdict="regressed" />
        <VerdictBadge verdict="no_significant_change" />
      </>,
    );
    const badges = [...container.querySelectorAll('[data-verdict]')];
    expect(badges.map((badge) => [badge.getAttribute('data-verdict'), badge.textContent])).toEqual([
      ['improved', '▲ Improved'],
      ['regressed', '▼ Regressed'],
      ['no_significant_change', '● No significant change'],
    ]);
    // The shapes are decoration: screen readers hear the word only.
    expect(badges.every((badge) => badge.querySelector('[aria-hidden="true"]'))).toBe(true);
  });

  it('shows every metric with A, B, the change, its p-value or interval, and its verdict', () => {
    const target = comparison().targets[0]!;
    render(<ComparisonTarget target={target} label="triage × chat-default" onShowAllChanges={undefined} />);
    const table = screen.getByRole('table', { name: 'Metrics of triage × chat-default' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) =>
        within(row)
          .getAllByRole('cell')
          .map((cell) => cell.textContent),
      );
    expect(rows).toEqual([
      ['Pass rate', '91.7%', '33.3%', '−58.3 pts', 'p = 0.039 (McNemar)', '12', '▼ Regressed'],
      ['Mean score', '0.90', '0.40', '−0.50', '95% CI −0.75 to −0.25', '12', '▼ Regressed'],
      ['Latency (mean)', '40 ms', '38 ms', '−2 ms', '95% CI −5 ms to +1 ms', '12', '● No significant change'],
      ['Cost per case', '$0.004', '$0.002', '−$0.002', '95% CI −$0.003 to −$0.001', '12', '▲ Improved'],
    ]);
    expect(
      screen.getByRole('heading', { name: 'triage × chat-default' }).parentElement?.textContent,
    ).toContain('Regressed');
    expect(screen.getByText(/Left out, without a partner: 0 in A, 1 in B/)).toBeTruthy();
  });

  it('lists broke and fixed cases with A’s output beside B’s, as text', () => {
    const target = comparison().targets[0]!;
    const { container } = render(
      <ComparisonTarget target={target} label="triage × chat-default" onShowAllChanges={() => {}} />,
    );
    const broke = screen.getByRole('article', { name: 'Broke: refund' });
    expect(broke.getAttribute('data-change')).toBe('broke');
    const sides = [...broke.querySelectorAll('[data-side]')].map((side) => [
      side.getAttribute('data-side'),
      side.querySelector('.exp-badge')?.textContent,
      side.querySelector('pre')?.textContent ?? side.textContent,
    ]);
    expect(sides).toEqual([
      ['A', '✓ Pass', 'billing'],
      ['B', '✗ Fail', '<script>window.__xss=1</script> tech'],
    ]);
    expect(container.querySelector('script')).toBeNull();
    const fixed = screen.getByRole('article', { name: 'Fixed: login' });
    expect(fixed.textContent).toContain('No output.');
    // Eight broke, one listed: the rest can be asked for.
    expect(screen.getByRole('heading', { name: 'Broke: passed in A, not in B (8)' })).toBeTruthy();
    expect(screen.getByText('Showing 1 of 8.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Show up to 1,000' })).toBeTruthy();
  });
});

describe('the comparison page', () => {
  afterEach(cleanup);

  const renderAt = (api: ReturnType<typeof createFakeApi>, path: string) => {
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

  it('shows the overall verdict and asks for every changed case on request', async () => {
    const api = createFakeApi({
      'GET /api/experiments/exp_a/compare/exp_b': () => ({ body: comparison() }),
      'GET /api/experiments/exp_a': () => ({ body: experiment({ id: 'exp_a', name: 'baseline' }) }),
      'GET /api/experiments/exp_b': () => ({ body: experiment({ id: 'exp_b', name: 'candidate' }) }),
    });
    renderAt(api, '/experiments/compare/exp_a/exp_b');
    const overall = await screen.findByRole('region', { name: 'Overall verdict' });
    expect(overall.textContent).toContain('▼ Regressed');
    await screen.findByRole('link', { name: 'candidate' });
    expect(screen.getByRole('heading', { name: 'triage × chat-default' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Swap A and B' }).getAttribute('href')).toBe(
      '/experiments/compare/exp_b/exp_a',
    );

    await userEvent.click(screen.getAllByRole('button', { name: 'Show up to 1,000' })[0]!);
    await waitFor(() =>
      expect(api.requests.some((request) => request.search.get('max_changes') === '1000')).toBe(true),
    );
    expect(screen.getByTestId('location').textContent).toBe('/experiments/compare/exp_a/exp_b?changes=all');
  });

  it('shows the server’s message when the runs cannot be compared', async () => {
    const api = createFakeApi({
      'GET /api/experiments/exp_a/compare/exp_b': () => ({
        status: 404,
        body: { error: { code: 'experiment_not_found', message: 'No experiment exp_b.', request_id: 'r' } },
      }),
    });
    renderAt(api, '/experiments/compare/exp_a/exp_b');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('No experiment exp_b.'));
  });

  it('says so when the runs have nothing in common', async () => {
    const api = createFakeApi({
      'GET /api/experiments/exp_a/compare/exp_b': () => ({
        body: comparison({ targets: [], verdict: 'no_significant_change' }),
      }),
    });
    renderAt(api, '/experiments/compare/exp_a/exp_b');
    expect(await screen.findByRole('heading', { name: 'Nothing to compare' })).toBeTruthy();
  });
});
