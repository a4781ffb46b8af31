/**
 * A real browser for the console's tests: Debian's Chromium (`.ci/run`
 * installs it) driven headless by playwright-core, and the steps every test
 * takes (open the console, sign in). Waits are for conditions the page shows,
 * never for fixed times.
 */
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** CHROMIUM_PATH, else Debian's package. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const NEEDS_CHROMIUM = existsSync(CHROMIUM) ? false : `needs Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

// A loaded 2-core machine: generous, since every wait is for a condition that either comes or is a failure.
const ACTION_TIMEOUT_MS = 30_000;

export function launchBrowser(): Promise<Browser> {
  // --no-sandbox: CI and the developers' machines run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** One browser for the whole test file. */
export function useBrowser(): { readonly current: Browser } {
  const holder = {} as { current: Browser };
  before(async () => {
    if (!NEEDS_CHROMIUM) holder.current = await launchBrowser();
  });
  after(async () => {
    await holder.current?.close();
  });
  return holder;
}

/** A fresh context (its own sessionStorage and clipboard) and page, in UTC, with clipboard access. */
export async function openPage(browser: Browser, baseUrl: string, { bypassCSP = false } = {}): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP: only for injecting a checker (axe-core) the page's own policy rightly refuses.
  const context = await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB', viewport: { width: 1400, height: 1000 }, bypassCSP });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  (page as Page & { problems?: string[] }).problems = problems;
  return { context, page };
}

/** Opens /console and signs in with the key; resolves once the key's domain is shown. */
export async function signIn(page: Page, baseUrl: string, key: string, view = ''): Promise<void> {
  await page.goto(`${baseUrl}/console/${view ? `#/${view}` : ''}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('domain').waitFor();
}

/** Resolves once the change feed is connected: changes after this are shown. */
export async function waitForLiveFeed(page: Page): Promise<void> {
  await page.locator('[data-feed="live"]').waitFor();
}

/** Retries an assertion until it holds or the deadline passes; the last failure is thrown. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = ACTION_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The texts of one column of the table shown, top to bottom. */
export function columnTexts(page: Page, column: string): Promise<string[]> {
  return page.locator(`table.rows tbody td[data-column="${column}"] .value`).allInnerTexts();
}
