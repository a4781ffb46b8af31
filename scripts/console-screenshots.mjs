// Takes the screenshots of the console shown in README.md and docs/console.md
// (docs/console/*.png): a fresh service with a small realistic domain, and
// Chromium through playwright-core, as the tests drive it.
// Run after `npm run build`:  node scripts/console-screenshots.mjs
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openPage, signIn } from '../dist/test/support/browser.js';
import { Api, startTestService } from '../dist/test/support/service.js';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'console');
const service = await startTestService({}, undefined);
const api = new Api(service.url, service.key);
const post = async (collection, body) => (await api.post(collection, body)).body;

const archive = await post('/rest/v1/domain/storagerules', { name: 'Archive, 1 year', expires: 365 });
const quality = await post('/rest/v1/domain/storagerules', { name: 'Quality checks, 30 days', expires: 30 });
await post('/rest/v1/uc/recordrules', { priority: 10, fromnumber: '8800*', rec: 0, opts: { title: 'Toll-free callers: never' } });
await post('/rest/v1/uc/recordrules', { priority: 20, dir: 'incoming', tonumber: '1XX', schedule: 'work', storageruleid: quality.id, opts: { title: 'Support line, working hours' } });
await post('/rest/v1/uc/recordrules', { priority: 30, fromnumber: '7495*', storageruleid: archive.id, opts: { title: 'Moscow callers' } });
await post('/rest/v1/uc/recordrules', { priority: 40, dir: 'outgoing', storageruleid: archive.id, opts: { title: 'Every outgoing call' } });
await post('/rest/v1/service/integration_points', { type: 'public', code: 'CRM', url: 'https://crm.example.com/hook', recv_svcscriptcode: 'ws_hook', opts: { title: 'CRM webhook' } });
await post('/rest/v1/service/integration_points', { type: 'public', code: 'BOT', url: 'wss://bot.example.com/ws', opts: { title: 'Chat bot' } });

const browser = await launchBrowser();
const shot = async (page, name) => page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
try {
  const { page } = await openPage(browser, service.url);
  await page.goto(`${service.url}/console`);
  await page.getByLabel('API key').waitFor();
  await shot(page, 'sign-in');

  await signIn(page, service.url, service.key, 'recordrules');
  await page.locator('table.rows tbody tr').nth(3).waitFor();
  await page.locator('[data-feed="live"]').waitFor();
  await shot(page, 'recordrules');

  await page.getByRole('button', { name: 'Edit Moscow callers' }).click();
  await page.locator('.entity-form').getByLabel(/^fromnumber/).fill('7495[');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('.field-error').filter({ hasText: 'mask' }).waitFor();
  await shot(page, 'recordrule-field-error');

  await page.getByRole('link', { name: 'integration_points' }).click();
  await page.getByRole('button', { name: 'Add condition' }).click();
  await page.getByLabel('Field', { exact: true }).selectOption('code');
  await page.getByLabel('Value', { exact: true }).fill('CRM');
  await page.getByRole('button', { name: 'Apply filter' }).click();
  await page.locator('table.rows tbody tr').filter({ hasText: 'CRM webhook' }).waitFor();
  await page.getByRole('button', { name: 'Edit CRM webhook' }).click();
  await page.getByTestId('external-url').waitFor();
  await shot(page, 'integration-points');

  await page.getByRole('link', { name: 'Test a call' }).click();
  await page.getByLabel('From number').fill('74951234567');
  await page.getByLabel(/^To number/).fill('101');
  await page.getByLabel(/^Time/).fill('2026-11-21T09:30');
  await page.getByRole('button', { name: 'Test the call' }).click();
  await page.getByTestId('verdict').waitFor();
  await page.getByTestId('outcome').nth(2).waitFor();
  await shot(page, 'call-tester');
} finally {
  await browser.close();
  await service.stop();
}
console.log(`screenshots in ${out}`);
