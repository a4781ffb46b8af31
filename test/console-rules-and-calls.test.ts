// The console's recordrules and call tester in a real browser: decision order
// with storage rules by name, reordering by drag and drop and by keyboard
// (saved as PATCHes of priority), and a tested call explained by its trace.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addKey, Api, RR, useService } from './support/service.js';
import { columnTexts, eventually, NEEDS_CHROMIUM, openPage, signIn, useBrowser } from './support/browser.js';

const SR = '/rest/v1/domain/storagerules';

/** The titles of the domain's rules in the order the service applies them. */
async function decisionOrder(api: Api): Promise<string[]> {
  const rules = (await api.get(RR, { order: JSON.stringify([{ priority: 'asc' }, { 'ext.ct': 'asc' }, { id: 'asc' }]), limit: '100' })).body;
  return rules.map((rule: { opts: { title: string } }) => rule.opts.title);
}

describe('console: recordrules and the call tester', { skip: NEEDS_CHROMIUM }, () => {
  const service = useService();
  const browser = useBrowser();

  test('rules in decision order with their storage rule by name; drag and drop and the keyboard reorder them', async () => {
    const api = new Api(service.current.url, service.current.key);
    const keep = (await api.post(SR, { name: 'Ninety days', expires: 90 })).body;
    for (const [priority, title] of [[30, 'third'], [10, 'first'], [20, 'second'], [40, 'fourth']] as const) {
      assert.equal((await api.post(RR, { priority, opts: { title }, storageruleid: title === 'second' ? keep.id : '' })).status, 200);
    }
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, service.current.key, 'recordrules');
      await eventually(async () => assert.deepEqual(await columnTexts(page, 'opts.title'), ['first', 'second', 'third', 'fourth']));
      // Names come from a read of the storage rules of their own.
      await eventually(async () => assert.deepEqual(await columnTexts(page, 'storageruleid'), ['', 'Ninety days', '', '']));

      // Drag "fourth" onto the first row: it now decides first.
      const row = (title: string) => page.locator('table.rows tbody tr').filter({ hasText: title });
      await row('fourth').dragTo(row('first'));
      await page.getByRole('status').filter({ hasText: /Moved fourth to place 1/ }).waitFor();
      await eventually(async () => assert.deepEqual(await decisionOrder(api), ['fourth', 'first', 'second', 'third']));
      await eventually(async () => assert.deepEqual(await columnTexts(page, 'opts.title'), ['fourth', 'first', 'second', 'third']));
      // The priorities kept their values, handed out in the new order.
      const priorities = (await api.get(RR, { order: JSON.stringify([{ priority: 'asc' }]) })).body.map((rule: { priority: number }) => rule.priority);
      assert.deepEqual(priorities, [10, 20, 30, 40]);

      // The keyboard: focus "third"'s move-up button and press Enter.
      await page.getByRole('button', { name: 'Move third up' }).focus();
      await page.keyboard.press('Enter');
      await eventually(async () => assert.deepEqual(await decisionOrder(api), ['fourth', 'first', 'third', 'second']));
      await eventually(async () => assert.deepEqual(await columnTexts(page, 'opts.title'), ['fourth', 'first', 'third', 'second']));

      // The form offers storage rules by name.
      await page.getByRole('button', { name: 'Edit first' }).click();
      await page.locator('.entity-form').getByLabel('storageruleid').selectOption({ label: 'Ninety days' });
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await eventually(async () => assert.deepEqual(await columnTexts(page, 'storageruleid'), ['', 'Ninety days', '', 'Ninety days']));
    } finally {
      await context.close();
    }
  });

  test('test a call: the decision, the deciding rule and, for each rule before it, the condition that failed', async () => {
    const api = new Api(service.current.url, service.current.key);
    for (const rule of (await api.get(RR, { limit: '100' })).body) await api.delete(`${RR}/${rule.id}`);
    const keep = (await api.post(SR, { name: 'Call archive', expires: 365 })).body;
    await api.post(RR, { priority: 1, fromnumber: '8800*', opts: { title: 'toll-free callers' } });
    await api.post(RR, { priority: 2, dir: 'outgoing', opts: { title: 'outgoing only' } });
    await api.post(RR, { priority: 3, fromnumber: '7495*', storageruleid: keep.id, opts: { title: 'Moscow callers' } });
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, service.current.key, 'test-a-call');
      await page.getByLabel('From number').fill('74951234567');
      await page.getByLabel(/^To number/).fill('101');
      await page.getByLabel(/^Time/).fill('2026-11-23T09:30');
      await page.getByRole('button', { name: 'Test the call' }).click();
      await page.getByTestId('verdict').filter({ hasText: 'Recorded' }).waitFor();
      const domain = page.getByRole('article', { name: 'Domain default' });
      assert.match(await domain.getByRole('heading').innerText(), /incoming call, recorded/);
      await domain.getByTestId('deciding-rule').filter({ hasText: /Decided by rule Moscow callers \(priority 3, rec 1\); kept under storage rule Call archive for 365 days/ }).waitFor();
      const outcomes = await domain.getByTestId('outcome').allInnerTexts();
      assert.equal(outcomes.length, 3);
      assert.match(outcomes[0], /^failed: fromnumber \("8800\*"\)/);
      assert.match(outcomes[1], /^failed: dir \("outgoing"\)/);
      assert.equal(outcomes[2], 'decided');

      // A call no rule takes is not recorded; a bad call is named by the service.
      await page.getByLabel('From number').fill('4951234567');
      await page.getByRole('button', { name: 'Test the call' }).click();
      await page.getByTestId('verdict').filter({ hasText: 'Not recorded' }).waitFor();
      await page.getByLabel(/^To domain/).fill('');
      await page.getByRole('button', { name: 'Test the call' }).click();
      await page.getByRole('alert').filter({ hasText: 'platform domain' }).waitFor();
    } finally {
      await context.close();
    }
  });

  test('a decider key gets the call tester only', async () => {
    const decider = await addKey(service.current, 'default', 'decider');
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, decider);
      assert.equal(await page.getByTestId('role').innerText(), 'decider');
      assert.deepEqual(await page.getByRole('navigation', { name: 'Views' }).getByRole('link').allInnerTexts(), ['Test a call']);
      await page.getByLabel('From number').fill('74951234567');
      await page.getByRole('button', { name: 'Test the call' }).click();
      await page.getByTestId('verdict').waitFor();
    } finally {
      await context.close();
    }
  });
});
