// axe-core over the console's main screens in a real browser: no serious or
// critical violation of WCAG 2.1 A/AA; and the page's Content-Security-Policy
// keeps it to its own origin.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Api, RR, useService } from './support/service.js';
import { NEEDS_CHROMIUM, openPage, signIn, useBrowser } from './support/browser.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** The serious and critical violations axe finds on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(() => (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: unknown[] }> } }).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }).then((result) => result.violations))) as Violation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

describe('console: accessibility', { skip: NEEDS_CHROMIUM }, () => {
  const service = useService();
  const browser = useBrowser();

  test('sign-in, a collection with its form, filter and delete dialog, the calendar and a tested call: no serious or critical axe violations', async () => {
    const api = new Api(service.current.url, service.current.key);
    await api.post(RR, { priority: 5, fromnumber: '7495*', opts: { title: 'Moscow callers' } });
    const { context, page } = await openPage(browser.current, service.current.url, { bypassCSP: true });
    try {
      const screens: Record<string, string[]> = {};
      await page.goto(`${service.current.url}/console`);
      await page.getByLabel('API key').waitFor();
      screens['sign-in'] = await seriousViolations(page);

      await signIn(page, service.current.url, service.current.key, 'recordrules');
      await page.locator('table.rows tbody tr').first().waitFor();
      await page.getByRole('button', { name: 'New recordrule' }).click();
      await page.getByRole('button', { name: 'Add condition' }).click();
      await page.locator('.column-chooser summary').click();
      await page.locator('.entity-form').getByLabel(/^fromnumber/).fill('[9-1]');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.locator('.field-error').filter({ hasText: 'reversed range' }).waitFor();
      screens['recordrules with form, filter and columns'] = await seriousViolations(page);

      await page.getByRole('button', { name: 'Delete Moscow callers' }).click();
      await page.getByRole('dialog').waitFor();
      screens['delete dialog'] = await seriousViolations(page);
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      await page.getByRole('link', { name: 'Calendar' }).click();
      await page.locator('.entity-form').getByLabel('timezone').waitFor();
      screens.calendar = await seriousViolations(page);

      await page.getByRole('link', { name: 'Test a call' }).click();
      await page.getByLabel('From number').fill('74951234567');
      await page.getByRole('button', { name: 'Test the call' }).click();
      await page.getByTestId('verdict').waitFor();
      screens['call tester'] = await seriousViolations(page);

      assert.deepEqual(Object.fromEntries(Object.entries(screens).filter(([, violations]) => violations.length > 0)), {});
    } finally {
      await context.close();
    }
  });

  test('the page is served with a policy that allows its own origin only, and every control has a name', async () => {
    const response = await fetch(`${service.current.url}/console/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const script = await fetch(`${service.current.url}/console/console.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    // Nothing in the bundle reaches for another origin at run time.
    assert.doesNotMatch(await script.text(), /https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\//i);
  });
});
