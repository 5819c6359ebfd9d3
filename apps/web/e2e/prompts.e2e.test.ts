import { createFlywheelClient } from '@flywheel/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCost, formatCount } from '../src/format/format-number.js';
import { launchChromium, openPage, screenshotPath, signIn, skipReason } from './browser.js';
import { type SeededServer, startSeededServer } from './seeded-server.js';
import { ensureWebBuild, webDist } from './web-build.js';

// The Prompts page in Chromium against the real server: list and folders, editing and saving a
// version, the side-by-side diff, moving production (confirmed in a dialog) and the playground
// running through the gateway. Screenshots: test-results/ui-prompts-*.png, ui-prompt-*.png.

const reason = skipReason();
/** A template that would run script if the UI ever rendered it as HTML. */
const hostileTemplate = '<script>window.__flywheelXss=1</script> Refund {{order}}';

describe('the Prompts page in Chromium, end to end', () => {
  if (reason) {
    it.skip(`walks the Prompts page (skipped: ${reason})`, () => {});
    return;
  }

  let server: SeededServer;
  let browser: Browser;
  beforeAll(async () => {
    await ensureWebBuild();
    server = await startSeededServer(webDist);
    // Beside the seeded support/triage: a nested folder, a chat prompt, and markup in a template.
    const client = createFlywheelClient({ baseUrl: server.url, apiKey: server.adminKey });
    await client.prompts.create({
      name: 'support/billing/refund',
      type: 'chat',
      template: [
        { role: 'system', content: 'You handle refunds.' },
        { role: 'user', content: hostileTemplate },
      ],
      config: { model: 'chat-small' },
    });
    await client.prompts.create({ name: 'summarise', type: 'text', template: 'Summarise {{text}}' });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const noXss = async (page: Page) => {
    expect(await page.evaluate(() => (window as { __flywheelXss?: number }).__flywheelXss)).toBeUndefined();
    expect(await page.locator('main script').count()).toBe(0);
  };

  it('edits support/triage into a new version, diffs it, moves production and runs it (1280 px)', async () => {
    const client = createFlywheelClient({ baseUrl: server.url, apiKey: server.adminKey });
    const { page, problems, close } = await openPage(browser, 1280);
    try {
      await page.goto(`${server.url}/prompts`);
      await signIn(page, server.adminKey);

      // The list, with folders.
      const table = page.getByRole('table', { name: 'All prompts' });
      await table.waitFor();
      expect(await table.getByRole('row').count()).toBe(4);
      const triageRow = table.getByRole('row').filter({ hasText: 'support/triage' });
      expect(await triageRow.getByText('production → v1').count()).toBe(1);
      const folders = page.getByRole('navigation', { name: 'Folders' });
      await folders.getByRole('link', { name: /^billing\// }).click();
      const billing = page.getByRole('table', { name: 'Prompts in support/billing/' });
      await billing.waitFor();
      expect(await billing.getByRole('row').count()).toBe(2);
      await folders.getByRole('link', { name: /^All prompts/ }).click();
      await table.waitFor();
      await page.screenshot({ path: screenshotPath('prompts-list-1280'), fullPage: true });

      // A template with markup shows as text in the editor.
      await table.getByRole('link', { name: 'support/billing/refund' }).click();
      const second = page.getByLabel('Content of message 2');
      await second.waitFor();
      expect(await second.inputValue()).toBe(hostileTemplate);
      await noXss(page);

      // The editor: variables found as the template is typed, errors with line and column.
      await page.goto(`${server.url}/prompts/support/triage`);
      const template = page.getByLabel('Template', { exact: true });
      await template.waitFor();
      expect(await template.inputValue()).toBe('Route this ticket: {{ticket}}');
      await template.fill('Route this ticket: {{ticket');
      await page.getByText(/^Line 1, column 20: `\{\{` is never closed/).waitFor();
      await template.fill('Route this support ticket: {{ticket}}\nCustomer: {{customer}}');
      const variables = page.getByTestId('template-variables');
      await variables.getByText('customer').waitFor();
      expect(await variables.locator('code').allTextContents()).toEqual(['ticket', 'customer']);
      await page.getByLabel('Temperature').fill('0.2');
      await page.getByLabel('Commit message').fill('Name the customer');
      await page.screenshot({ path: screenshotPath('prompt-editor-1280'), fullPage: true });
      await page.getByRole('button', { name: 'Save v2' }).click();
      await page.getByText('Saved as version 2.').waitFor();
      const saved = await client.prompts.get('support/triage', { version: 2 });
      expect(saved).toMatchObject({
        template: 'Route this support ticket: {{ticket}}\nCustomer: {{customer}}',
        config: { model: 'chat-default', temperature: 0.2 },
        commit_message: 'Name the customer',
        variables: ['ticket', 'customer'],
      });

      // The diff of the two versions, side by side.
      await page.getByRole('link', { name: 'Compare versions' }).click();
      const diff = page.getByRole('table', { name: 'Template of v1 (left) and v2 (right)' });
      await diff.waitFor();
      expect(await page.getByTestId('diff-summary').textContent()).toContain('2 lines added, 1 line removed');
      const rows = diff.locator('tbody tr');
      expect(await rows.count()).toBe(2);
      expect(await rows.nth(0).locator('[data-op="remove"]').textContent()).toContain(
        'Route this ticket: {{ticket}}',
      );
      expect(await rows.nth(0).locator('[data-op="add"]').textContent()).toContain(
        'Route this support ticket: {{ticket}}',
      );
      expect(await rows.nth(1).locator('[data-op="empty"]').count()).toBe(1);
      expect(await rows.nth(1).locator('[data-op="add"]').textContent()).toContain('Customer: {{customer}}');
      await page.getByRole('region', { name: 'Config changes' }).getByText('temperature').waitFor();
      await page.screenshot({ path: screenshotPath('prompt-diff-1280'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
        'rgb(14, 16, 21)',
      );
      await page.screenshot({ path: screenshotPath('prompt-diff-dark-1280'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });

      // Moving production asks first, in a dialog driven here by the keyboard.
      await page.getByRole('link', { name: 'History & labels' }).click();
      await page.getByRole('button', { name: 'Move production', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Move production to v2?' });
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect((await client.prompts.get('support/triage')).version).toBe(1);
      await page.getByRole('button', { name: 'Move production', exact: true }).click();
      await dialog.waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Move production');
      await page.keyboard.press('Enter');
      await page.getByText('production now points at v2.').waitFor();
      expect((await client.prompts.get('support/triage')).version).toBe(2);
      await page.getByText(/moved v1 → v2/).waitFor();

      // The playground renders with the variables and runs production (v2) through the gateway.
      await page.getByRole('link', { name: 'Playground' }).click();
      // The history view has Version fields too: the playground's is the one in its form.
      const playgroundVersion = page.getByRole('form', { name: 'Run the prompt' }).getByLabel('Version');
      await playgroundVersion.waitFor();
      expect(await playgroundVersion.inputValue()).toBe('2');
      await page.getByLabel('ticket', { exact: true }).fill('I was charged twice');
      await page.getByLabel('customer', { exact: true }).fill('Ada <b>Lovelace</b>');
      const preview = page.getByRole('region', { name: 'Rendered prompt' });
      await preview.getByText('Customer: Ada <b>Lovelace</b>').waitFor();
      await page.getByRole('button', { name: 'Run v2' }).click();
      const output = page.getByTestId('playground-output');
      await output.waitFor();
      expect(await output.textContent()).toBe('Hello from the fake model');
      const figure = (id: string) => page.locator(`[data-figure="${id}"] dd`).textContent();
      // The fake model reports 12 tokens in and 5 out; the seeded price of gpt-4o-mini is $150 / $600 per million.
      expect(await figure('input-tokens')).toBe(formatCount(12));
      expect(await figure('output-tokens')).toBe(formatCount(5));
      expect(await figure('total-tokens')).toBe(formatCount(17));
      expect(await figure('cost')).toBe(formatCost((12 * 150 + 5 * 600) / 1_000_000));
      expect(await figure('latency')).toMatch(/^\d+ ms$|^\d+\.\d\d s$/);
      await page.screenshot({ path: screenshotPath('prompt-playground-1280'), fullPage: true });
      await noXss(page);

      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);

  it('fits 768 px and shows the list, editor and diff without sideways scrolling', async () => {
    const { page, problems, close } = await openPage(browser, 768, 1024);
    try {
      await page.goto(`${server.url}/prompts`);
      await signIn(page, server.adminKey);
      await page.getByRole('table', { name: 'All prompts' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('prompts-768'), fullPage: true });

      await page.goto(`${server.url}/prompts/support/triage`);
      await page.getByLabel('Template', { exact: true }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('prompt-editor-768'), fullPage: true });

      // The views are links, reachable by Tab.
      let found = false;
      for (let presses = 0; presses < 40 && !found; presses++) {
        await page.keyboard.press('Tab');
        found = await page.evaluate(() => document.activeElement?.textContent === 'Compare versions');
      }
      expect(found).toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('table', { name: /^Template of v\d \(left\)/ }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
      await page.screenshot({ path: screenshotPath('prompt-diff-768'), fullPage: true });

      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);
});
