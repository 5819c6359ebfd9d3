import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFlywheelClient, type FlywheelClient } from '@flywheel/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDigest } from '../src/datasets/content-id.js';
import { launchChromium, openPage, screenshotPath, signIn, skipReason } from './browser.js';
import { hostileOutput, type SeededServer, startSeededServer } from './seeded-server.js';
import { ensureWebBuild, webDist } from './web-build.js';

// The Datasets page, built and served by the real server, in Chromium: the list, a dataset's
// items (versions, paging), a CSV import with a column mapping, and editing an item. Screenshots:
// test-results/ui-datasets-*.png and ui-dataset-*.png.

const reason = skipReason();
/** A dataset with more items than one page of the table holds. */
const pagedDataset = 'support/paged';

describe('the Datasets page in Chromium, end to end', () => {
  if (reason) {
    it.skip(`walks the Datasets page (skipped: ${reason})`, () => {});
    return;
  }

  let server: SeededServer;
  let browser: Browser;
  let client: FlywheelClient;
  let folder: string;
  beforeAll(async () => {
    await ensureWebBuild();
    server = await startSeededServer(webDist);
    client = createFlywheelClient({ baseUrl: server.url, apiKey: server.adminKey });
    await client.datasets.create({ name: pagedDataset });
    await client.datasets.addItems(pagedDataset, {
      items: Array.from({ length: 60 }, (_, index) => ({
        id: `case-${String(index).padStart(2, '0')}`,
        input: { question: `Question ${index}` },
      })),
    });
    folder = mkdtempSync(join(tmpdir(), 'flywheel-datasets-e2e-'));
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const cellTexts = async (page: Page, tableName: string) =>
    page
      .getByRole('table', { name: tableName })
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent)),
      );

  it('lists datasets, imports a mapped CSV as a new version, and saves an edited item (1280 px)', async () => {
    const { page, problems, close } = await openPage(browser, 1280);
    try {
      await page.goto(`${server.url}/datasets`);
      await signIn(page, server.adminKey);
      await page.getByRole('heading', { name: 'Datasets', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/datasets');
      const list = page.getByRole('table', { name: 'Datasets' });
      await list.waitFor();
      const golden = list.getByRole('row').filter({ hasText: server.datasetName });
      expect(await golden.getByRole('cell').allTextContents()).toEqual([
        server.datasetName,
        'Tickets with the queue they belong to',
        '2',
        'v1',
        expect.any(String),
      ]);
      await page.screenshot({ path: screenshotPath('datasets-list-1280'), fullPage: true });

      // The dataset: its items (a hostile input stays text), at v1.
      await golden.getByRole('link', { name: server.datasetName }).click();
      await page.getByRole('heading', { name: server.datasetName, level: 1 }).waitFor();
      await page.getByRole('table', { name: 'Items at v1' }).waitFor();
      const before = await cellTexts(page, 'Items at v1');
      expect(before.map((row) => row.slice(0, 4))).toEqual([
        ['charged-twice', '{"ticket":"I was charged twice"}', 'billing', '—'],
        ['hostile', JSON.stringify({ ticket: hostileOutput }), 'tech', '{"source":"e2e"}'],
      ]);
      expect(await page.evaluate(() => (window as { __flywheelXss?: number }).__flywheelXss)).toBeUndefined();

      // Import a CSV: `queue` is the expected output, `channel` metadata, `ticket` the input.
      await page.getByRole('link', { name: 'Import items' }).click();
      await page.getByRole('heading', { name: `Import into ${server.datasetName}` }).waitFor();
      const csvPath = join(folder, 'new-tickets.csv');
      writeFileSync(
        csvPath,
        'ticket,queue,channel\n"Card declined, twice",billing,email\n<b>App crashes</b> on login,tech,chat\n',
      );
      await page.getByLabel('Choose a CSV or JSONL file, or drop it here').setInputFiles(csvPath);
      await page.getByLabel('queue', { exact: true }).selectOption({ label: 'Expected output' });
      await page.getByLabel('channel', { exact: true }).selectOption({ label: 'Metadata' });
      const ids = [
        `row-${contentDigest({ input: { ticket: 'Card declined, twice' }, expected_output: 'billing', metadata: { channel: 'email' } })}`,
        `row-${contentDigest({ input: { ticket: '<b>App crashes</b> on login' }, expected_output: 'tech', metadata: { channel: 'chat' } })}`,
      ];
      expect(await cellTexts(page, 'The first 2 items')).toEqual([
        ['2', ids[0], '{"ticket":"Card declined, twice"}', 'billing', '{"channel":"email"}'],
        ['3', ids[1], '{"ticket":"<b>App crashes</b> on login"}', 'tech', '{"channel":"chat"}'],
      ]);
      await page.screenshot({ path: screenshotPath('dataset-import-1280'), fullPage: true });
      await page.getByRole('button', { name: 'Import 2 items' }).click();
      await page.getByRole('heading', { name: 'Imported 2 items' }).waitFor();
      expect(await page.locator('[data-outcome="created"]').textContent()).toBe('2');
      expect(await page.locator('[data-outcome="unchanged"]').textContent()).toBe('0');
      expect(await page.locator('[data-outcome="version"]').textContent()).toBe('v2');
      expect(await page.getByRole('progressbar').count()).toBe(0);

      // The items now, at v2, and v1 as it was.
      await page.getByRole('link', { name: 'View items' }).click();
      await page.getByRole('table', { name: 'Items at v2' }).waitFor();
      const after = await cellTexts(page, 'Items at v2');
      expect(after.map((row) => row[0])).toEqual(['charged-twice', 'hostile', ...ids]);
      expect(after[3]?.slice(1, 4)).toEqual([
        '{"ticket":"<b>App crashes</b> on login"}',
        'tech',
        '{"channel":"chat"}',
      ]);
      expect(await page.locator('.data-table b').count()).toBe(0);
      const versions = await cellTexts(page, 'Versions');
      expect(versions.map((row) => row.slice(0, 5))).toEqual([
        ['v2', '2', '0', '0', '4'],
        ['v1', '2', '0', '0', '2'],
      ]);
      await page.screenshot({ path: screenshotPath('dataset-items-1280'), fullPage: true });
      await page.getByLabel('Version', { exact: true }).selectOption('1');
      await page.getByRole('table', { name: 'Items at v1' }).waitFor();
      expect(new URL(page.url()).search).toBe('?version=1');
      expect((await cellTexts(page, 'Items at v1')).map((row) => row[0])).toEqual([
        'charged-twice',
        'hostile',
      ]);
      await page.getByText('Showing version v1, as it was then.').waitFor();
      await page.getByLabel('Version', { exact: true }).selectOption({ label: 'Current (v2)' });
      await page.getByRole('table', { name: 'Items at v2' }).waitFor();

      // Edit an item: a JSON mistake is named, then the fixed item is saved as v3.
      await page.getByRole('link', { name: 'Edit item charged-twice' }).click();
      const expected = page.getByLabel('Expected output', { exact: true });
      expect(await expected.inputValue()).toBe('"billing"');
      await expected.fill('refunds');
      await page.getByLabel('Metadata', { exact: true }).fill('{"reviewed": true}');
      await page.getByRole('button', { name: 'Save item' }).click();
      expect(await page.getByRole('alert').textContent()).toMatch(/^Expected output: Not valid JSON: /);
      await expected.fill('"refunds"');
      await page.getByRole('button', { name: 'Save item' }).click();
      await page.getByText('Saved: the dataset is now at version v3.').waitFor();
      const stored = await client.datasets.getItem(server.datasetName, 'charged-twice');
      expect([stored.expected_output, stored.metadata, stored.version]).toEqual([
        'refunds',
        { reviewed: true },
        3,
      ]);
      await page.screenshot({ path: screenshotPath('dataset-item-1280'), fullPage: true });
      await page.getByRole('link', { name: 'Back to items' }).click();
      await page.getByRole('table', { name: 'Items at v3' }).waitFor();
      expect((await cellTexts(page, 'Items at v3'))[0]?.slice(0, 5)).toEqual([
        'charged-twice',
        '{"ticket":"I was charged twice"}',
        'refunds',
        '{"reviewed":true}',
        'v3',
      ]);

      // The dark theme follows the system.
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(
        await page.evaluate(() => getComputedStyle(document.querySelector('.panel')!).backgroundColor),
      ).toBe('rgb(22, 26, 33)');
      await page.emulateMedia({ colorScheme: 'light' });

      // Paging: 60 items, 50 a page, the cursor in the URL.
      await page.goto(`${server.url}/datasets/${pagedDataset}`);
      await page.getByText('Items 1–50').waitFor();
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByText('Items 51–60').waitFor();
      expect((await cellTexts(page, 'Items at v1')).map((row) => row[0])).toEqual(
        Array.from({ length: 10 }, (_, index) => `case-${50 + index}`),
      );
      expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
      expect(new URL(page.url()).searchParams.has('cursor')).toBe(true);
      await page.reload();
      await page.getByText('Items 51–60').waitFor();
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.getByText('Items 1–50').waitFor();
      expect(await page.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);

      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);

  it('fits 768 px and is usable from the keyboard', async () => {
    const { page, problems, close } = await openPage(browser, 768, 1024);
    try {
      await page.goto(`${server.url}/datasets/${server.datasetName}`);
      await signIn(page, server.adminKey);
      await page.getByRole('heading', { name: server.datasetName, level: 1 }).waitFor();
      await page.getByRole('table', { name: /^Items at v/ }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('datasets-768'), fullPage: true });

      // Tab to "Import items", open it with Enter, and reach the file input by Tab.
      const tabTo = async (matches: () => boolean) => {
        for (let presses = 0; presses < 40; presses++) {
          await page.keyboard.press('Tab');
          if (await page.evaluate(matches)) return true;
        }
        return false;
      };
      expect(await tabTo(() => document.activeElement?.textContent === 'Import items')).toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: `Import into ${server.datasetName}` }).waitFor();
      expect(await tabTo(() => (document.activeElement as HTMLInputElement | null)?.type === 'file')).toBe(
        true,
      );
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);

      await page.goto(`${server.url}/datasets`);
      await page.getByRole('table', { name: 'Datasets' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('datasets-list-768'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);
});
