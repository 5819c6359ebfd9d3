import { createFlywheelClient } from '@flywheel/sdk';
import type { ExperimentComparisonBody, ExperimentResultBody } from '@flywheel/spec';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMetricDelta, formatMetricValue, formatPValue } from '../src/experiments/experiment-format.js';
import { formatRatio } from '../src/format/format-number.js';
import { launchChromium, openPage, screenshotPath, signIn, skipReason } from './browser.js';
import { hostileOutput, type SeededServer, startSeededServer } from './seeded-server.js';
import { ensureWebBuild, webDist } from './web-build.js';

// The Experiments page in Chromium against the real server: the list, a run's matrix and one
// result, and two runs compared. Beyond the two experiments the seeded server has, this file
// records a baseline and a candidate (through the SDK) where the candidate breaks eight cases the
// baseline passed: a regression McNemar's test calls significant.

const reason = skipReason();

const cases = Array.from({ length: 12 }, (_, index) => `case-${String(index + 1).padStart(2, '0')}`);
const targets = [
  {
    prompt_id: 'support/triage',
    prompt_label: 'triage',
    provider_id: 'flywheel:chat-default',
    provider_label: 'chat-default',
  },
  {
    prompt_id: 'support/triage',
    prompt_label: 'triage',
    provider_id: 'flywheel:chat-small',
    provider_label: 'chat-small',
  },
];
/** Baseline on chat-default: every case passes but the last. */
const baselinePasses = cases.map((_, index) => index < 11);
/** Candidate on chat-default: cases 1–8 break, the last is fixed. chat-small passes everything in both. */
const candidatePasses = cases.map((_, index) => index >= 8);
/** The broken case whose output is markup, to check it shows as text. */
const hostileCase = 'case-03';

interface Recorded {
  baselineId: string;
  candidateId: string;
  comparison: ExperimentComparisonBody;
}

async function recordRuns(server: SeededServer): Promise<Recorded> {
  const client = createFlywheelClient({ baseUrl: server.url, apiKey: server.adminKey });
  const record = async (name: string, passes: boolean[]) => {
    const run = await client.experiments.create({
      name,
      description: 'Routing tickets to queues, seeded by the end-to-end suite',
      targets,
      datasets: [{ name: server.datasetName, version: 1 }],
    });
    const results: ExperimentResultBody[] = targets.flatMap((target) =>
      cases.map((caseKey, index): ExperimentResultBody => {
        const passed = target.provider_id === 'flywheel:chat-small' || passes[index]!;
        const hostile = !passed && caseKey === hostileCase;
        return {
          case_key: caseKey,
          case_index: index,
          repeat: 0,
          prompt_id: target.prompt_id,
          provider_id: target.provider_id,
          vars: { ticket: `Ticket number ${index + 1}` },
          output: passed ? 'billing' : hostile ? hostileOutput : 'tech',
          error: null,
          status: passed ? 'passed' : 'failed',
          score: passed ? 1 : 0,
          assertions: [
            {
              type: 'equals',
              result: {
                status: 'scored',
                pass: passed,
                score: passed ? 1 : 0,
                reason: passed ? 'Output equals "billing".' : 'Expected "billing".',
              },
            },
          ],
          input_tokens: 20,
          output_tokens: 3,
          cost: 0.0001,
          latency_ms: 100 + index,
          trace_id: index === 0 ? server.traceIds[0]! : null,
          cached: false,
        };
      }),
    );
    await client.experiments.appendResults(run.id, results);
    // The summary `flywheel eval` stores: one row per prompt × model.
    const rows = targets.map((target) => {
      const own = results.filter((result) => result.provider_id === target.provider_id);
      const passed = own.filter((result) => result.status === 'passed').length;
      return {
        prompt_id: target.prompt_id,
        prompt: target.prompt_label,
        provider_id: target.provider_id,
        provider: target.provider_label,
        results: own.length,
        passed,
        failed: own.length - passed,
        errored: 0,
        pass_rate: passed / own.length,
        mean_score: passed / own.length,
        input_tokens: 20 * own.length,
        output_tokens: 3 * own.length,
        cost: 0.0001 * own.length,
        unknown_cost_count: 0,
        cached: 0,
        latency_p50_ms: 105,
        latency_p95_ms: 111,
      };
    });
    await client.experiments.finish(run.id, 'completed', { cancelled: false, duration_ms: 1200, rows });
    return run.id;
  };
  const baselineId = await record('router baseline', baselinePasses);
  const candidateId = await record('router candidate', candidatePasses);
  const comparison = await client.experiments.compare(baselineId, candidateId);
  return { baselineId, candidateId, comparison };
}

const noXss = (page: Page) => page.evaluate(() => (window as { __flywheelXss?: number }).__flywheelXss);

describe('the Experiments page in Chromium, end to end', () => {
  if (reason) {
    it.skip(`walks the Experiments page (skipped: ${reason})`, () => {});
    return;
  }

  let server: SeededServer;
  let browser: Browser;
  let recorded: Recorded;
  beforeAll(async () => {
    await ensureWebBuild();
    server = await startSeededServer(webDist);
    recorded = await recordRuns(server);
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the runs, opens a result of a run, and compares two runs (1280 px)', async () => {
    const { page, problems, close } = await openPage(browser, 1280);
    try {
      await page.goto(`${server.url}/experiments`);
      await signIn(page, server.adminKey);
      await page.getByRole('heading', { name: 'Experiments', level: 1 }).waitFor();

      // Every run, newest first; pass rates from the stored summaries, a dash where none was stored.
      const table = page.getByRole('table', { name: 'Experiments, newest first' });
      await table.waitFor();
      const names = await table.locator('tbody .exp-run-link').allTextContents();
      expect(names).toEqual(['router candidate', 'router baseline', 'triage candidate', 'triage baseline']);
      const row = (name: string) =>
        table.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
      const cells = (name: string) => row(name).getByRole('cell').allTextContents();
      expect((await cells('router candidate')).slice(2, 6)).toEqual([
        'Completed',
        'triage × chat-defaulttriage × chat-small',
        `${formatRatio(16 / 24)} (16/24)`,
        '24',
      ]);
      expect((await cells('router baseline'))[4]).toBe(`${formatRatio(23 / 24)} (23/24)`);
      expect((await cells('triage baseline'))[4]).toBe('—');
      await page.screenshot({ path: screenshotPath('experiments-list-1280'), fullPage: true });

      // A run: the figures per target, then cases × targets; a cell opens its result.
      await page.getByRole('link', { name: 'router candidate', exact: true }).click();
      await page.getByRole('heading', { name: 'router candidate', level: 1 }).waitFor();
      const summary = page.getByRole('table', { name: 'By prompt × model' });
      await summary.waitFor();
      expect(await summary.getByRole('row').nth(1).getByRole('cell').nth(1).textContent()).toBe(
        formatRatio(4 / 12),
      );
      expect(await summary.getByRole('row').nth(2).getByRole('cell').nth(1).textContent()).toBe(
        formatRatio(1),
      );
      const matrix = page.getByRole('table', { name: /^Results: 12 cases by 2 prompt × model columns/ });
      expect(await matrix.getByRole('columnheader').allTextContents()).toEqual([
        'Case',
        'triage × chat-default',
        'triage × chat-small',
      ]);
      expect(await matrix.locator('tbody tr').count()).toBe(12);
      expect(await matrix.locator('td[data-status="failed"]').count()).toBe(8);
      const cell = page.getByRole('button', {
        name: `${hostileCase} under triage × chat-default: failed, score 0.00. Show the output`,
      });
      await cell.click();
      const detail = page.locator('.exp-detail');
      await detail.waitFor();
      expect(await detail.getByTestId('result-output').textContent()).toBe(hostileOutput);
      expect(await detail.textContent()).toContain('Expected "billing".');
      expect(await noXss(page)).toBeUndefined();
      expect(new URL(page.url()).search).toBe(`?case=${hostileCase}&target=0`);
      await page.screenshot({ path: screenshotPath('experiment-run-1280'), fullPage: true });
      // The first case carries a trace: its panel links to it.
      await page.getByRole('button', { name: /^case-01 under triage × chat-small/ }).click();
      expect(await detail.getByRole('link', { name: server.traceIds[0]! }).getAttribute('href')).toBe(
        `/traces/${server.traceIds[0]}`,
      );
      await page.keyboard.press('Escape');
      await detail.waitFor({ state: 'detached' });

      // Back to the list: pick the two router runs and compare them (the older is A).
      await page.getByRole('link', { name: 'All experiments' }).click();
      await page.getByRole('checkbox', { name: /^Select router candidate/ }).check();
      await page.getByRole('checkbox', { name: /^Select router baseline/ }).check();
      await page.getByRole('button', { name: 'Compare selected' }).click();
      await page.waitForURL(`**/experiments/compare/${recorded.baselineId}/${recorded.candidateId}`);
      const overall = page.getByRole('region', { name: 'Overall verdict' });
      await overall.waitFor();
      expect(recorded.comparison.verdict).toBe('regressed');
      expect(await overall.locator('.exp-badge').textContent()).toBe('▼ Regressed');

      // chat-default regressed, with McNemar's p-value; chat-small did not change.
      const regressed = page.locator('.exp-comparison', {
        has: page.getByRole('heading', { name: 'triage × chat-default' }),
      });
      expect(await regressed.locator('.exp-comparison-head .exp-badge').textContent()).toBe('▼ Regressed');
      const target = recorded.comparison.targets.find(
        (item) => item.a.provider_id === 'flywheel:chat-default',
      )!;
      const passRate = target.metrics.find((metric) => metric.metric === 'pass_rate')!;
      expect(passRate.verdict).toBe('regressed');
      expect(await regressed.getByRole('row').nth(1).getByRole('cell').allTextContents()).toEqual([
        'Pass rate',
        formatMetricValue('pass_rate', passRate.a),
        formatMetricValue('pass_rate', passRate.b),
        formatMetricDelta('pass_rate', passRate.delta),
        `${formatPValue(passRate.p_value!)} (McNemar)`,
        '12',
        '▼ Regressed',
      ]);
      const unchanged = page.locator('.exp-comparison', {
        has: page.getByRole('heading', { name: 'triage × chat-small' }),
      });
      expect(await unchanged.locator('.exp-comparison-head .exp-badge').textContent()).toBe(
        '● No significant change',
      );

      // The eight broken cases, highlighted, A's output beside B's; the one fixed case.
      const broke = regressed.locator('.exp-change[data-change="broke"]');
      expect(await broke.count()).toBe(8);
      expect(await regressed.getByRole('heading', { name: 'Broke: passed in A, not in B (8)' }).count()).toBe(
        1,
      );
      const hostile = regressed.getByRole('article', { name: `Broke: ${hostileCase}` });
      expect(await hostile.locator('[data-side="A"] pre').textContent()).toBe('billing');
      expect(await hostile.locator('[data-side="B"] pre').textContent()).toBe(hostileOutput);
      expect(await hostile.locator('[data-side="B"] .exp-badge').textContent()).toBe('✗ Fail');
      expect(await hostile.evaluate((element) => getComputedStyle(element).borderLeftColor)).toBe(
        'rgb(180, 35, 24)',
      );
      expect(await regressed.locator('.exp-change[data-change="fixed"]').count()).toBe(1);
      expect(await noXss(page)).toBeUndefined();
      await page.screenshot({ path: screenshotPath('experiment-compare-1280'), fullPage: true });

      // The dark theme follows the system.
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await hostile.evaluate((element) => getComputedStyle(element).borderLeftColor)).toBe(
        'rgb(255, 138, 128)',
      );
      await page.screenshot({ path: screenshotPath('experiment-compare-dark-1280'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });

      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it('fits 768 px and opens a result from the keyboard', async () => {
    const { page, problems, close } = await openPage(browser, 768, 1024);
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth);
    try {
      await page.goto(`${server.url}/experiments`);
      await signIn(page, server.adminKey);
      await page.getByRole('table', { name: 'Experiments, newest first' }).waitFor();
      expect(await fits()).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('experiments-768'), fullPage: true });

      await page.goto(`${server.url}/experiments/${recorded.candidateId}`);
      await page.locator('.exp-matrix').waitFor();
      expect(await fits()).toBeLessThanOrEqual(768);
      // Tab to the first cell of the matrix and open it with Enter; Escape gives the focus back.
      let onCell = false;
      for (let presses = 0; presses < 60 && !onCell; presses++) {
        await page.keyboard.press('Tab');
        onCell = await page.evaluate(
          () => document.activeElement?.classList.contains('exp-cell-button') ?? false,
        );
      }
      expect(onCell).toBe(true);
      const label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
      expect(label).toMatch(/^case-01 under triage × chat-default: failed/);
      await page.keyboard.press('Enter');
      await page.locator('.exp-detail').waitFor();
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H2');
      expect(await fits()).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('experiment-run-768'), fullPage: true });
      await page.keyboard.press('Escape');
      await page.locator('.exp-detail').waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(label);

      await page.goto(`${server.url}/experiments/compare/${recorded.baselineId}/${recorded.candidateId}`);
      await page.locator('.exp-change[data-change="broke"]').first().waitFor();
      expect(await fits()).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('experiment-compare-768'), fullPage: true });

      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);
});
