import { createFlywheelClient, type FlywheelClient } from '@flywheel/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshotPath, signIn, skipReason } from './browser.js';
import { hostileModelName, hostileOutput, type SeededServer, startSeededServer } from './seeded-server.js';
import { ensureWebBuild, webDist } from './web-build.js';

// The Traces page, built and served by the real server, in Chromium: filters kept in the URL,
// cursor paging, one trace with its span tree, conversation, scores and dataset action.
// Screenshots: test-results/ui-traces-list-1280.png, ui-trace-detail-1280.png, ui-traces-list-768.png, …

const reason = skipReason();

/** Traces this file adds to what `startSeededServer` seeds: one nested pipeline, and a batch to page through. */
const nestedTraceId = 'tr-traces-nested';
const pagedTraceCount = 12;

async function seedTraces(server: SeededServer): Promise<void> {
  const start = Date.now() - 5 * 60_000;
  const at = (offsetMs: number) => new Date(start + offsetMs).toISOString();
  const span = (id: string, fields: Record<string, unknown>) => ({
    id: `ev-${id}`,
    type: 'span-create',
    body: { id, trace_id: nestedTraceId, ...fields },
  });
  const batch = [
    {
      id: 'ev-nested-trace',
      type: 'trace-create',
      body: {
        id: nestedTraceId,
        name: 'refund pipeline',
        user_id: 'user-42',
        session_id: 'session-7',
        tags: ['pipeline', 'e2e'],
        environment: 'staging',
        metadata: { ticket: 'T-1001', note: hostileOutput },
      },
    },
    span('sp-root', {
      kind: 'span',
      name: 'answer pipeline',
      start_time: at(0),
      end_time: at(1500),
    }),
    span('sp-retrieve', {
      parent_id: 'sp-root',
      kind: 'retrieval',
      name: 'search help center',
      start_time: at(50),
      end_time: at(400),
      input: { query: 'refund policy' },
      output: [{ doc: 'refunds.md', score: 0.92 }],
    }),
    span('sp-tool', {
      parent_id: 'sp-root',
      kind: 'tool',
      name: 'lookup order',
      start_time: at(410),
      end_time: at(440),
      input: { order: 'A-17' },
      output: { status: 'refunded' },
    }),
    span('sp-chat', {
      parent_id: 'sp-root',
      kind: 'generation',
      name: 'draft answer',
      start_time: at(450),
      end_time: at(1400),
      model: 'claude-3-5-haiku-20241022',
      provider: 'anthropic',
      usage: { input_tokens: 820, output_tokens: 64 },
      cost: 0.0125,
      input: [
        { role: 'system', content: 'You answer billing questions briefly.' },
        { role: 'user', content: 'Where is my refund for order A-17?' },
      ],
      output: { role: 'assistant', content: hostileOutput },
    }),
    ...Array.from({ length: pagedTraceCount }, (_, index) => [
      {
        id: `ev-paged-trace-${index}`,
        type: 'trace-create',
        body: { id: `tr-paged-${index}`, name: `nightly batch ${index}`, tags: ['paged'] },
      },
      {
        id: `ev-paged-span-${index}`,
        type: 'span-create',
        body: {
          id: `sp-paged-${index}`,
          trace_id: `tr-paged-${index}`,
          kind: 'span',
          name: 'step',
          start_time: at(60_000 + index * 1000),
          end_time: at(60_000 + index * 1000 + 100),
        },
      },
    ]).flat(),
  ];
  const response = await fetch(`${server.url}/api/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${body}`);
}

describe('the Traces page in Chromium, end to end', () => {
  if (reason) {
    it.skip(`walks the trace list and a trace (skipped: ${reason})`, () => {});
    return;
  }

  let server: SeededServer;
  let browser: Browser;
  let client: FlywheelClient;
  beforeAll(async () => {
    await ensureWebBuild();
    server = await startSeededServer(webDist);
    await seedTraces(server);
    client = createFlywheelClient({ baseUrl: server.url, apiKey: server.adminKey });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const search = (page: Page) => new URL(page.url()).searchParams;
  const traceLinks = (page: Page) => page.locator('.trace-results table a.trace-link');
  const applyFilters = (page: Page) => page.getByRole('button', { name: 'Apply filters' }).click();

  it('filters traces through the URL, pages with cursors, and works on one trace (1280 px)', async () => {
    const { page, problems, close } = await openPage(browser, 1280);
    try {
      await page.goto(`${server.url}/traces?range=24h`);
      await signIn(page, server.adminKey);
      await page.getByRole('heading', { name: 'Traces', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/traces');

      // Every seeded trace is listed, newest first; a model name made of markup is text.
      await traceLinks(page).first().waitFor();
      for (const id of [...server.traceIds, nestedTraceId]) {
        await page.locator(`a.trace-link[href="/traces/${id}"]`).waitFor();
      }
      await page.getByRole('cell', { name: hostileModelName, exact: true }).waitFor();
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      await page.screenshot({ path: screenshotPath('traces-list-1280'), fullPage: true });

      // Filters go to the URL and the list follows: the one failed ingested trace.
      await page.getByLabel('Tags').fill('e2e');
      await page.getByLabel('Status').selectOption('error');
      await applyFilters(page);
      await page.waitForURL((url) => url.searchParams.get('status') === 'error');
      expect(search(page).get('tags')).toBe('e2e');
      await page.getByText('2 filters applied').waitFor();
      await expectTraceIds(page, ['tr-ui-1']);

      // A reload shows the same view: the URL holds the filters.
      await page.reload();
      await expectTraceIds(page, ['tr-ui-1']);
      expect(await page.getByLabel('Tags').inputValue()).toBe('e2e');
      expect(await page.getByLabel('Status').inputValue()).toBe('error');

      // User, model and cost ranges; text search over inputs and outputs.
      await page.getByRole('button', { name: 'Clear filters' }).first().click();
      await page.waitForURL((url) => !url.searchParams.has('status'));
      await page.getByLabel('User').fill('user-42');
      await applyFilters(page);
      await expectTraceIds(page, [nestedTraceId]);
      await page.getByLabel('User').fill('');
      await page.getByLabel('Cost from (USD)').fill('0.3');
      await applyFilters(page);
      await expectTraceIds(page, ['tr-ui-2']);
      await page.getByLabel('Cost from (USD)').fill('');
      await page.getByLabel('Search').fill('refund order');
      await page.getByLabel('Search').press('Enter');
      await page.waitForURL((url) => url.searchParams.get('q') === 'refund order');
      await expectTraceIds(page, [nestedTraceId]);

      // A filter nothing matches: the empty state says so, and clears from there.
      await page.getByLabel('Search').fill('no trace says this');
      await page.getByLabel('Search').press('Enter');
      const empty = page.getByRole('region', { name: 'No traces match these filters' });
      await empty.waitFor();
      await empty.getByRole('button', { name: 'Clear filters' }).click();
      await page.waitForURL((url) => !url.searchParams.has('q'));

      // Cursor paging: twelve batch traces, ten per page, typed right after the clearing above.
      await page.getByLabel('Tags').fill('paged');
      await applyFilters(page);
      await page.waitForURL((url) => url.searchParams.get('tags') === 'paged');
      // The page size is written onto the URL the page shows: wait for it to show this one's list.
      await waitForRowCount(page, pagedTraceCount);
      await page.getByLabel('Per page').selectOption('10');
      await page.waitForURL((url) => url.searchParams.get('limit') === '10');
      const firstPage = await waitForRowCount(page, 10);
      expect(firstPage[0]).toBe(`tr-paged-${pagedTraceCount - 1}`);
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.waitForURL((url) => url.searchParams.getAll('cursor').length === 1);
      expect(await waitForRowCount(page, 2)).toEqual(['tr-paged-1', 'tr-paged-0']);
      expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
      await page.getByRole('button', { name: 'Previous page' }).click();
      expect(await waitForRowCount(page, 10)).toEqual(firstPage);

      // One of the seeded traces, from its link: the conversation, the hostile output as text.
      await page.goto(`${server.url}/traces?range=24h&tags=e2e`);
      await page.locator(`a.trace-link[href="/traces/${server.traceIds[0]}"]`).click();
      await page.getByRole('heading', { name: 'support answer', level: 1 }).waitFor();
      const conversation = page.getByRole('list', { name: 'Conversation' });
      await conversation.waitFor();
      expect(await conversation.locator('.chat-turn[data-role="user"]').textContent()).toContain(
        'Where is my refund?',
      );
      expect(await conversation.locator('.chat-turn[data-output="true"]').textContent()).toContain(
        hostileOutput,
      );
      expect(await page.locator('main script').count()).toBe(0);
      expect(await page.evaluate(() => (window as { __flywheelXss?: number }).__flywheelXss)).toBeUndefined();

      // Add a score: it shows in the table, and the API has it.
      const scoreForm = page.getByRole('form', { name: 'Add a score' });
      await scoreForm.getByLabel('Name').fill('helpful');
      await scoreForm.getByLabel('Value').fill('0.75');
      await scoreForm.getByLabel('Comment (optional)').fill('Right answer, <b>slow</b>');
      await scoreForm.getByRole('button', { name: 'Add score' }).click();
      const scores = page.getByRole('table', { name: 'Scores' });
      await scores.getByRole('cell', { name: 'helpful', exact: true }).waitFor();
      await scores.getByRole('cell', { name: 'Right answer, <b>slow</b>', exact: true }).waitFor();
      expect(await scores.getByRole('cell', { name: '0.75', exact: true }).count()).toBe(1);
      const stored = await client.traces.get(server.traceIds[0]!);
      expect(stored.scores).toEqual([
        expect.objectContaining({ name: 'helpful', value: 0.75, source: 'human', span_id: null }),
      ]);

      // Add the trace to the seeded dataset: the page says which item, and the API has it.
      const datasetForm = page.getByRole('form', { name: 'Add to a dataset' });
      await datasetForm.getByLabel('Dataset').selectOption(server.datasetName);
      await datasetForm.getByRole('button', { name: 'Add to dataset' }).click();
      const outcome = datasetForm.getByRole('status');
      await outcome.waitFor();
      expect(await outcome.textContent()).toMatch(
        new RegExp(`^Added to support/golden as item ${server.traceIds[0]} \\(version \\d+\\)\\.$`),
      );
      const item = await client.datasets.getItem(server.datasetName, server.traceIds[0]!);
      expect(item.source_trace_id).toBe(server.traceIds[0]);
      expect(item.expected_output).toBe(hostileOutput);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: screenshotPath('trace-detail-1280'), fullPage: true });

      // Back to the list as it was left.
      await page.getByRole('link', { name: '← Back to traces' }).click();
      await page.waitForURL((url) => url.pathname === '/traces' && url.searchParams.get('tags') === 'e2e');

      // The nested trace: the tree in start order, bars on one axis, a span chosen by keyboard.
      await page.goto(`${server.url}/traces/${nestedTraceId}`);
      const tree = page.getByRole('list', { name: /^Spans of the trace/ });
      await tree.waitFor();
      const rows = tree.locator('li[data-span-id]');
      expect(
        await rows.evaluateAll((items) => items.map((item) => [item.dataset.spanId, item.dataset.depth])),
      ).toEqual([
        ['sp-root', '0'],
        ['sp-retrieve', '1'],
        ['sp-tool', '1'],
        ['sp-chat', '1'],
      ]);
      const bar = (id: string) =>
        page
          .locator(`li[data-span-id="${id}"] rect`)
          .evaluate((rect) => [rect.getAttribute('x'), rect.getAttribute('width')]);
      expect(await bar('sp-root')).toEqual(['0', '100']);
      expect(await bar('sp-chat')).toEqual(['30', '63.33']);
      // It opens on the generation: the system prompt and the answer as a conversation.
      await page.getByRole('heading', { name: 'draft answer', level: 2 }).waitFor();
      expect(await page.getByRole('list', { name: 'Conversation' }).textContent()).toContain(
        'You answer billing questions briefly.',
      );
      await page.locator('li[data-span-id="sp-retrieve"] button').focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'search help center', level: 2 }).waitFor();
      expect(search(page).get('span')).toBe('sp-retrieve');
      expect(await page.locator('.span-detail .json-view').first().textContent()).toContain(
        '"refund policy"',
      );
      await page.screenshot({ path: screenshotPath('trace-detail-nested-1280'), fullPage: true });

      // Dark theme, from the system.
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
        'rgb(14, 16, 21)',
      );
      await page.screenshot({ path: screenshotPath('trace-detail-dark-1280'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });

      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);

  it('fits 768 px and is usable from the keyboard', async () => {
    const { page, problems, close } = await openPage(browser, 768, 1024);
    try {
      await page.goto(`${server.url}/traces`);
      await signIn(page, server.adminKey);
      await traceLinks(page).first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('traces-list-768'), fullPage: true });

      // Tab to the search box, type, Enter: the URL and the list follow.
      await tabUntil(page, () => document.activeElement?.getAttribute('type') === 'search');
      await page.keyboard.type('refund order');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.searchParams.get('q') === 'refund order');
      await expectTraceIds(page, [nestedTraceId]);

      // Tab on to the trace's link and open it with Enter.
      await tabUntil(page, () => document.activeElement?.classList.contains('trace-link') === true);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'refund pipeline', level: 1 }).waitFor();
      await page.getByRole('list', { name: 'Conversation' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('trace-detail-768'), fullPage: true });

      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);
});

/** Waits until the list shows exactly these traces, in this order. */
async function expectTraceIds(page: Page, ids: string[]): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      if (document.querySelector('.trace-results[aria-busy="true"]')) return false;
      const shown = Array.from(document.querySelectorAll('.trace-results table a.trace-link')).map((link) =>
        decodeURIComponent(link.getAttribute('href')!.replace('/traces/', '')),
      );
      return JSON.stringify(shown) === JSON.stringify(expected);
    },
    ids,
    { timeout: 15_000 },
  );
}

/** Waits for a page of `count` rows once loading is done; the trace ids shown. */
async function waitForRowCount(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction(
    (expected) =>
      !document.querySelector('.trace-results[aria-busy="true"]') &&
      document.querySelectorAll('.trace-results table a.trace-link').length === expected,
    count,
    { timeout: 15_000 },
  );
  return page
    .locator('.trace-results table a.trace-link')
    .evaluateAll((links) =>
      links.map((link) => decodeURIComponent(link.getAttribute('href')!.replace('/traces/', ''))),
    );
}

/** Presses Tab until `focused` holds in the page (at most 60 times). */
async function tabUntil(page: Page, focused: () => boolean): Promise<void> {
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(focused)) return;
  }
  throw new Error('the element was not reached by Tab');
}
