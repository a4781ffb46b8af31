// The console in a real browser (Chromium, headless) against the real service:
// sign-in, and for every collection create, edit, delete, filter, sort and
// page through the UI, with the service's answers checked over HTTP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addKey, Api, useService } from './support/service.js';
import { columnTexts, eventually, NEEDS_CHROMIUM, openPage, signIn, useBrowser } from './support/browser.js';

interface CollectionCase {
  name: string;
  path: string;
  /** The one required field the form must be given, and the text typed into it. */
  required: [field: string, text: string];
  /** A body of the i-th seeded entity, whose opts.title is `title`. */
  seed: (i: number, title: string) => Record<string, unknown>;
  /** A numeric column that sorts differently from creation order. */
  sortColumn: string;
}

const cases: CollectionCase[] = [
  { name: 'integration_points', path: '/rest/v1/service/integration_points', required: ['type', 'public'], seed: (i, title) => ({ type: 'public', code: `C${i}`, opts: { title, recv_timeout: 100 - i } }), sortColumn: 'code' },
  { name: 'recordrules', path: '/rest/v1/uc/recordrules', required: ['priority', '500'], seed: (i, title) => ({ priority: 100 - i, opts: { title } }), sortColumn: 'priority' },
  { name: 'storagerules', path: '/rest/v1/domain/storagerules', required: ['expires', '30'], seed: (i, title) => ({ expires: 100 - i, name: `S${String(i).padStart(2, '0')}`, opts: { title } }), sortColumn: 'expires' },
  { name: 'workdays', path: '/rest/v1/domain/workdays', required: ['date', '2031-05-09'], seed: (i, title) => ({ date: `2030-01-${String(31 - i).padStart(2, '0')}`, opts: { title } }), sortColumn: 'date' },
];

const rows = (page: Page) => page.locator('table.rows tbody tr');
const row = (page: Page, text: string) => rows(page).filter({ hasText: text });
const field = (page: Page, key: string) => page.locator(`.entity-form [data-field="${key}"]`);
/** The input of a form field, found by its label as a person would. */
const input = (page: Page, key: string) => page.locator('.entity-form').getByLabel(new RegExp(`^${key.replace('.', '\\.')}( \\(required\\))?$`));

describe('console: sign-in and every collection', { skip: NEEDS_CHROMIUM }, () => {
  const service = useService();
  const browser = useBrowser();

  test('sign-in: a wrong key is refused on the page; the right one shows its domain and role and lives in sessionStorage only', async () => {
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await page.goto(`${service.current.url}/console`);
      await page.getByLabel('API key').fill('not-a-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: /API key/i }).waitFor();
      await signIn(page, service.current.url, service.current.key);
      assert.equal(await page.getByTestId('domain').innerText(), 'default');
      assert.equal(await page.getByTestId('role').innerText(), 'read-write');
      assert.deepEqual(await page.evaluate(() => ({ session: Object.values(sessionStorage), local: localStorage.length })), { session: [service.current.key], local: 0 });
      // Every collection of the API description has its view, and the calendar and the call tester theirs.
      const views = await page.getByRole('navigation', { name: 'Views' }).getByRole('link').allInnerTexts();
      assert.deepEqual(views, [...cases.map(({ name }) => name), 'Calendar', 'Test a call']);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    } finally {
      await context.close();
    }
  });

  for (const spec of cases) {
    test(`${spec.name}: create, edit, delete, filter, sort and page through the console`, async () => {
      const api = new Api(service.current.url, service.current.key);
      const tag = `${spec.name}-${Date.now()}`;
      for (let i = 0; i < 11; i++) assert.equal((await api.post(spec.path, spec.seed(i, `${tag} seed ${i}`))).status, 200);
      const { context, page } = await openPage(browser.current, service.current.url);
      try {
        await signIn(page, service.current.url, service.current.key, spec.name);
        await page.getByRole('heading', { name: spec.name, level: 2 }).waitFor();

        // Create through the form drawn from the schema.
        await page.getByRole('button', { name: /^New / }).click();
        await input(page, spec.required[0]).fill(spec.required[1]);
        await input(page, 'opts.title').fill(`${tag} created`);
        await page.getByRole('button', { name: 'Create', exact: true }).click();
        await page.getByRole('status').filter({ hasText: `Created ${tag} created` }).waitFor();
        const created = (await api.get(spec.path, { filter: JSON.stringify({ 'opts.title': `${tag} created` }) })).body;
        assert.equal(created.length, 1);

        // Page: 12 rows, 10 per page.
        await page.getByLabel('Rows per page').selectOption('10');
        await page.getByTestId('range').filter({ hasText: 'Rows 1–10' }).waitFor();
        await page.getByRole('button', { name: 'Next page' }).click();
        await page.getByTestId('range').filter({ hasText: 'Rows 11–12' }).waitFor();
        assert.equal(await rows(page).count(), 2);
        await page.getByRole('button', { name: 'Previous page' }).click();
        await page.getByTestId('range').filter({ hasText: 'Rows 1–10' }).waitFor();

        // Sort by a column: ascending, then descending, as the service orders.
        await page.getByLabel('Rows per page').selectOption('25');
        await page.getByRole('button', { name: `Sort by ${spec.sortColumn}` }).click();
        const ascending = (await api.get(spec.path, { order: JSON.stringify([{ [spec.sortColumn]: 'asc' }]), mask: spec.sortColumn, flat: 'true' })).body.map((entity: Record<string, unknown>) => String(entity[spec.sortColumn]));
        await eventually(async () => assert.deepEqual(await columnTexts(page, spec.sortColumn), ascending));
        assert.equal(await page.locator(`th[aria-sort="ascending"]`).count(), 1);
        await page.getByRole('button', { name: `Sort by ${spec.sortColumn}` }).click();
        await eventually(async () => assert.deepEqual(await columnTexts(page, spec.sortColumn), [...ascending].reverse()));

        // Filter with the builder: opts.title equals one seeded title.
        await page.getByRole('button', { name: 'Add condition' }).click();
        await page.getByLabel('Field', { exact: true }).selectOption('opts.title');
        await page.getByLabel('Value', { exact: true }).fill(`${tag} seed 3`);
        await page.getByRole('button', { name: 'Apply filter' }).click();
        await eventually(async () => assert.deepEqual(await columnTexts(page, 'opts.title'), [`${tag} seed 3`]));
        // Two conditions, any may hold: the builder writes ["or", ...].
        await page.getByRole('button', { name: 'Add condition' }).click();
        await page.locator('[aria-label="Condition 2"]').getByLabel('Field').selectOption('opts.title');
        await page.locator('[aria-label="Condition 2"]').getByLabel('Operator').selectOption('like');
        await page.locator('[aria-label="Condition 2"]').getByLabel('Value').fill(`${tag} seed 1*`);
        await page.getByLabel('Rows must').selectOption('or');
        await page.getByRole('button', { name: 'Apply filter' }).click();
        await eventually(async () => assert.deepEqual((await columnTexts(page, 'opts.title')).sort(), [`${tag} seed 1`, `${tag} seed 10`, `${tag} seed 3`]));
        await page.getByRole('button', { name: 'Clear filter' }).click();
        await page.getByTestId('range').filter({ hasText: 'Rows 1–12' }).waitFor();

        // Edit: only what changed is sent.
        await page.getByRole('button', { name: `Edit ${tag} seed 5` }).click();
        await input(page, 'opts.title').fill(`${tag} edited`);
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await row(page, `${tag} edited`).waitFor();
        const edited = (await api.get(spec.path, { filter: JSON.stringify({ 'opts.title': `${tag} edited` }) })).body;
        assert.equal(edited.length, 1);

        // Delete, after the confirmation.
        await page.getByRole('button', { name: `Delete ${tag} edited` }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
        assert.equal(await row(page, `${tag} edited`).count(), 1);
        await page.getByRole('button', { name: `Delete ${tag} edited` }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
        await row(page, `${tag} edited`).waitFor({ state: 'detached' });
        assert.equal((await api.get(`${spec.path}/${edited[0].id}`)).status, 404);
      } finally {
        await context.close();
      }
    });
  }

  test('field errors of the service are shown next to their fields, and nothing is stored', async () => {
    const api = new Api(service.current.url, service.current.key);
    const before = (await api.get('/rest/v1/uc/recordrules', { limit: '1000' })).body.length;
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, service.current.key, 'recordrules');
      await page.getByRole('button', { name: 'New recordrule' }).click();
      await input(page, 'priority').fill('high');
      await input(page, 'fromnumber').fill('[9-1]');
      await input(page, 'periods').fill('[{"from":"25:00","to":"10:00"}]');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await field(page, 'fromnumber').locator('.field-error').filter({ hasText: 'reversed range' }).waitFor();
      assert.match(await field(page, 'priority').locator('.field-error').innerText(), /integer/);
      assert.match(await field(page, 'periods').locator('.field-error').innerText(), /periods\.0\.from/);
      assert.equal(await input(page, 'fromnumber').getAttribute('aria-invalid'), 'true');
      // JSON the form cannot even parse is named before anything is sent.
      await input(page, 'periods').fill('[{');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await field(page, 'periods').locator('.field-error').filter({ hasText: 'not valid JSON' }).waitFor();
      assert.equal((await api.get('/rest/v1/uc/recordrules', { limit: '1000' })).body.length, before);
    } finally {
      await context.close();
    }
  });

  test('the LOOKUP box finds ids by key and opens what it found', async () => {
    const api = new Api(service.current.url, service.current.key);
    const point = (await api.post('/rest/v1/service/integration_points', { type: 'public', code: 'LOOKME', opts: { title: 'looked up' } })).body;
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, service.current.key, 'integration_points');
      await page.getByLabel('Look up by key').fill(point.token_local);
      await page.getByRole('button', { name: 'Look up', exact: true }).click();
      await page.getByRole('button', { name: point.id }).click();
      await page.getByRole('heading', { name: new RegExp(`looked up \\(${point.id}\\)`) }).waitFor();
      await page.getByLabel('Look up by key').fill('no-such-key');
      await page.getByRole('button', { name: 'Look up', exact: true }).click();
      await page.getByText('Nothing has this key').waitFor();
    } finally {
      await context.close();
    }
  });

  test('the calendar: its form saves a time zone and names a bad one next to the field', async () => {
    const api = new Api(service.current.url, service.current.key);
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, service.current.key, 'calendar');
      await input(page, 'timezone').fill('Mars/Olympus');
      await page.getByRole('button', { name: 'Save calendar' }).click();
      await field(page, 'timezone').locator('.field-error').filter({ hasText: 'time zone' }).waitFor();
      await input(page, 'timezone').fill('Europe/Moscow');
      await input(page, 'week.6').fill('[{"from":"10:00","to":"14:00"}]');
      await page.getByRole('button', { name: 'Save calendar' }).click();
      await page.getByRole('status').filter({ hasText: 'Calendar saved' }).waitFor();
      const calendar = (await api.get('/rest/v1/domain/calendar')).body;
      assert.equal(calendar.timezone, 'Europe/Moscow');
      assert.deepEqual(calendar.week['6'], [{ from: '10:00', to: '14:00' }]);
    } finally {
      await context.close();
    }
  });

  test('a read-only key gets a read-only console: no create, edit or delete controls', async () => {
    const api = new Api(service.current.url, service.current.key);
    await api.post('/rest/v1/domain/storagerules', { expires: 7, name: 'weekly' });
    const readOnlyKey = await addKey(service.current, 'default', 'read-only');
    const { context, page } = await openPage(browser.current, service.current.url);
    try {
      await signIn(page, service.current.url, readOnlyKey, 'storagerules');
      assert.equal(await page.getByTestId('role').innerText(), 'read-only');
      await row(page, 'weekly').waitFor();
      assert.equal(await page.getByRole('button', { name: /^New / }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^Delete / }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^Edit / }).count(), 0);
      await page.getByRole('button', { name: 'View weekly' }).click();
      assert.equal(await input(page, 'expires').isDisabled(), true);
      assert.equal(await page.getByRole('button', { name: 'Save', exact: true }).count(), 0);
      await page.getByRole('link', { name: 'Calendar' }).click();
      await input(page, 'timezone').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Save calendar' }).count(), 0);
    } finally {
      await context.close();
    }
  });
});
