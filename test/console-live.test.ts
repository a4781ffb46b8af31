// The console's live tables and integration points in a real browser: a
// second client writing over HTTP shows up without a reload, token_local is
// copied with one click, and the URL an external system calls is shown and works.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Api, IP, NEEDS_POSTGRES, onPostgres, startTestService, useService } from './support/service.js';
import { NEEDS_CHROMIUM, openPage, signIn, useBrowser, waitForLiveFeed } from './support/browser.js';

const SR = '/rest/v1/domain/storagerules';

describe('console: live updates and integration points', { skip: NEEDS_CHROMIUM }, () => {
  const service = useService();
  const browser = useBrowser();

  test('another client creates, changes and deletes: the open table follows from the change feed', async () => {
    const other = new Api(service.current.url, service.current.key);
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, service.current.key, 'storagerules');
      await page.getByTestId('range').filter({ hasText: 'No entities' }).waitFor();
      await waitForLiveFeed(page);
      const rule = (await other.post(SR, { name: 'Written elsewhere', expires: 5 })).body;
      const row = page.locator(`table.rows tbody tr[data-id="${rule.id}"]`);
      await row.filter({ hasText: 'Written elsewhere' }).waitFor();
      await other.patch(`${SR}/${rule.id}`, { name: 'Renamed elsewhere' });
      await row.filter({ hasText: 'Renamed elsewhere' }).waitFor();
      await other.delete(`${SR}/${rule.id}`);
      await row.waitFor({ state: 'detached' });
      // The calendar view follows too.
      await page.getByRole('link', { name: 'Calendar' }).click();
      const timezone = page.locator('.entity-form').getByLabel('timezone');
      await timezone.waitFor();
      await other.patch('/rest/v1/domain/calendar', { timezone: 'Asia/Tokyo' });
      await page.waitForFunction(() => (document.querySelector('[name="timezone"]') as HTMLInputElement | null)?.value === 'Asia/Tokyo');
    } finally {
      await context.close();
    }
  });

  test('a write on another node of the same database shows up too (PostgreSQL: the feed crosses nodes)', { skip: onPostgres ? false : NEEDS_POSTGRES }, async () => {
    // A second node on the first one's schema; the store already has keys, so it bootstraps none.
    const secondNode = await startTestService({ databaseUrl: service.current.config.databaseUrl });
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, service.current.key, 'workdays');
      await waitForLiveFeed(page);
      const day = (await new Api(secondNode.url, service.current.key).post('/rest/v1/domain/workdays', { date: '2031-01-02', opts: { title: 'Written on another node' } })).body;
      await page.locator(`table.rows tbody tr[data-id="${day.id}"]`).filter({ hasText: 'Written on another node' }).waitFor();
    } finally {
      await context.close();
      await secondNode.stop();
    }
  });

  test('integration points: token_local is copied with one click; the URL an external system calls is shown and resolves', async () => {
    const api = new Api(service.current.url, service.current.key);
    const point = (await api.post(IP, { type: 'public', code: 'HOOK', opts: { title: 'crm hook' } })).body;
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, service.current.key, 'integration_points');
      await page.getByRole('button', { name: 'Copy token_local of crm hook' }).click();
      await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), point.token_local);
      await page.getByRole('button', { name: 'Edit crm hook' }).click();
      const url = await page.getByTestId('external-url').innerText();
      assert.equal(url, `${service.current.url}/rest/v1/service/integration_tokens/${point.token_local}`);
      const resolved = await fetch(url, { headers: { authorization: `Bearer ${service.current.key}` } });
      assert.equal((await resolved.json()).id, point.id);
    } finally {
      await context.close();
    }
  });
});
