import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { webRoot } from './web-build.js';

/** Debian's Chromium (`apt-get install -y chromium`; `.ci/run` installs it). */
export const chromiumPath = '/usr/bin/chromium';

/** Why the suite does not run here, or undefined when it must: it is skipped only off CI and without Chromium. */
export function skipReason(): string | undefined {
  if (existsSync(chromiumPath) || process.env.CI) return undefined;
  return `${chromiumPath} is missing: install it with 'apt-get install -y chromium' to run the UI end-to-end suite (with CI set it fails instead)`;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `${chromiumPath} is missing: the UI end-to-end suite needs it ('apt-get install -y chromium'; .ci/run does).`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page in its own browser context, with what goes wrong on it collected. */
export interface OpenedPage {
  page: Page;
  /** Console errors (failed requests and CSP violations included) and uncaught exceptions, so far. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Opens a fresh page (no session) at a width, in the light theme, formatting numbers like this
 * process does (so expected figures can be formatted here with the UI's own functions).
 *
 * @example
 * const { page, problems, close } = await openPage(browser, 1280);
 */
export async function openPage(browser: Browser, width: number, height = 900): Promise<OpenedPage> {
  const context: BrowserContext = await browser.newContext({
    viewport: { width, height },
    locale: new Intl.NumberFormat().resolvedOptions().locale,
    colorScheme: 'light',
  });
  const page = await context.newPage();
  return { page, ...collectProblems(page), close: () => context.close() };
}

/** Signs in on the sign-in page (where any signed-out URL leads) with the keyboard. */
export async function signIn(page: Page, key: string): Promise<void> {
  const input = page.getByLabel('API key');
  await input.fill(key);
  await input.press('Enter');
}

/** Console errors, failed requests the console reported, and uncaught exceptions of a page. */
export function collectProblems(page: Page): { problems: string[] } {
  const collected = { problems: [] as string[] };
  page.on('console', (message) => {
    if (message.type() === 'error') collected.problems.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => collected.problems.push(`uncaught: ${error.message}`));
  return collected;
}

/** Where a screenshot goes: `test-results/ui-<name>.png` at the repository root (kept by CI). */
export function screenshotPath(name: string): string {
  const folder = join(webRoot, '..', '..', 'test-results');
  mkdirSync(folder, { recursive: true });
  return join(folder, `ui-${name}.png`);
}
