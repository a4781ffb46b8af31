// What RECORDING.md fixes for recordrules on write: masks, schedule values,
// periods items, storageruleid naming a storagerule of the same domain, and
// storagerules that cannot go while rules use them. Rows stored before these
// checks still load and list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCollections } from '../src/collections/registry.js';
import { newRow } from '../src/entity/rows.js';
import { openStore } from '../src/store/open.js';
import { addKey, Api, execBehindTheService, RR, useService } from './support/service.js';

const SR = '/rest/v1/domain/storagerules';
const fieldsOf = (body: any) => body.error_details.map((detail: any) => detail.field).sort();

describe('recordrules validation', () => {
  const service = useService();
  const { api } = service;

  test('masks of the mask language are accepted', async () => {
    const masks = ['', '*', '7495*', '*789*', 'XXX789*', 'xx?', '[+]*', '1XX', '[138]', '[4-7]', '[1-46-8]', '[+15]', '[*]', '{E}', '[-1]', '[1-]', '{x}', ']', '+7 (495) 123-45-67', 'sip:*@example.com'];
    for (const mask of masks) {
      const reply = await api.post(RR, { priority: 1, fromnumber: mask, tonumber: mask, crossdomain: mask });
      assert.equal(reply.status, 200, `${mask}: ${reply.text}`);
      assert.equal(reply.body.fromnumber, mask);
    }
  });

  test('malformed masks are 400 naming every field at fault', async () => {
    for (const mask of ['[12', '7495[', '[]', '[9-1]', '1{E}', '{E}{E}', '*{E}']) {
      const reply = await api.post(RR, { priority: 1, fromnumber: mask, tonumber: mask, crossdomain: mask });
      assert.equal(reply.status, 400, mask);
      assert.equal(reply.body.error_code, 1400);
      assert.deepEqual(fieldsOf(reply.body), ['crossdomain', 'fromnumber', 'tonumber'], mask);
      assert.match(reply.body.error_details[0].message, /mask/);
    }
    const rule = await api.create(RR, { priority: 1, tonumber: '101' });
    const patched = await api.patch(`${RR}/${rule.id}`, { tonumber: '[10' });
    assert.equal(patched.status, 400);
    assert.deepEqual(fieldsOf(patched.body), ['tonumber']);
    assert.equal((await api.get(`${RR}/${rule.id}`)).body.tonumber, '101');
  });

  test('schedule is "all", "", "work" or "nonwork"', async () => {
    for (const schedule of ['all', '', 'work', 'nonwork']) assert.equal((await api.post(RR, { priority: 1, schedule })).status, 200, schedule);
    for (const schedule of ['night', 'Work', 'ALL', ' all']) {
      const reply = await api.post(RR, { priority: 1, schedule });
      assert.equal(reply.status, 400, schedule);
      assert.deepEqual(fieldsOf(reply.body), ['schedule']);
    }
  });

  test('periods items: days, from and to, validated', async () => {
    const good = [
      [],
      [{ from: '09:00', to: '18:00' }],
      [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }, { days: [6, 7], from: '10:00', to: '12:00' }],
      [{ days: [5], from: '22:00', to: '06:00' }],
      [{ from: '00:00', to: '24:00' }],
    ];
    for (const periods of good) assert.equal((await api.post(RR, { priority: 1, periods })).status, 200, JSON.stringify(periods));
    const bad: [unknown, string[]][] = [
      [[{ from: '09:00', to: '09:00' }], ['periods.0.to']],
      [[{ from: '9:00', to: '18:00' }], ['periods.0.from']],
      [[{ from: '09:00', to: '18:60' }], ['periods.0.to']],
      [[{ from: '24:00', to: '06:00' }], ['periods.0.from']],
      [[{ from: '09:00' }], ['periods.0.to']],
      [[{ days: [0], from: '09:00', to: '18:00' }], ['periods.0.days.0']],
      [[{ days: [8], from: '09:00', to: '18:00' }], ['periods.0.days.0']],
      [[{ days: [], from: '09:00', to: '18:00' }], ['periods.0.days']],
      [[{ days: [1, 1], from: '09:00', to: '18:00' }], ['periods.0.days']],
      [[{ days: '1', from: '09:00', to: '18:00' }], ['periods.0.days']],
      [[{ from: '09:00', to: '18:00', tz: 'UTC' }], ['periods.0.tz']],
      [['09:00-18:00'], ['periods.0']],
      [[{ from: '09:00', to: '18:00' }, { from: '10:00', to: '10:00' }], ['periods.1.to']],
    ];
    for (const [periods, fields] of bad) {
      const reply = await api.post(RR, { priority: 1, periods });
      assert.equal(reply.status, 400, JSON.stringify(periods));
      assert.deepEqual(fieldsOf(reply.body), fields, JSON.stringify(periods));
    }
  });

  test('storageruleid must name a storagerule of the same domain', async () => {
    const storage = await api.create(SR, { name: '90 days', expires: 90 });
    const other = new Api(service.current.url, await addKey(service.current, 'elsewhere'));
    const foreign = await other.create(SR, { name: 'theirs', expires: 1 });

    assert.equal((await api.post(RR, { priority: 1, storageruleid: storage.id })).status, 200);
    assert.equal((await api.post(RR, { priority: 1, storageruleid: storage.id.toUpperCase() })).body.storageruleid, storage.id);
    assert.equal((await api.post(RR, { priority: 1, storageruleid: '' })).status, 200);
    for (const id of [foreign.id, '00000000-0000-4000-8000-000000000000']) {
      const reply = await api.post(RR, { priority: 1, storageruleid: id });
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.body.error_details, [{ field: 'storageruleid', message: 'names no storagerule of this domain' }]);
    }
    const rule = await api.create(RR, { priority: 1 });
    const patched = await api.patch(`${RR}/${rule.id}`, { storageruleid: foreign.id });
    assert.equal(patched.status, 400);
    assert.equal((await api.get(`${RR}/${rule.id}`)).body.storageruleid, '');
  });

  test('a storagerule in use cannot be deleted: 409/1409 saying how many rules use it', async () => {
    const storage = await api.create(SR, { name: 'kept', expires: 30 });
    const first = await api.create(RR, { priority: 1, storageruleid: storage.id });
    const second = await api.create(RR, { priority: 2, storageruleid: storage.id });
    const refused = await api.delete(`${SR}/${storage.id}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error_code, 1409);
    assert.equal(refused.body.error_message, 'storagerule is in use by 2 recordrules');
    assert.deepEqual(refused.body.error_details, [{ field: 'id', message: 'in use by 2 recordrules' }]);

    await api.patch(`${RR}/${first.id}`, { storageruleid: '' });
    const once = await api.delete(`${SR}/${storage.id}`);
    assert.equal(once.body.error_message, 'storagerule is in use by 1 recordrule');
    assert.equal((await api.delete(`${RR}/${second.id}`)).status, 204);
    assert.equal((await api.delete(`${SR}/${storage.id}`)).status, 204);
    assert.equal((await api.delete(`${SR}/${storage.id}`)).status, 404);
  });

  test('rows stored with values no longer accepted still load, list and take PATCHes of other fields', async () => {
    const models = await loadCollections();
    const rules = models.find((model) => model.name === 'recordrules')!;
    // The rule's storagerule existed when the rule was written, and went behind the service's back.
    const storagerule = await api.create(SR, { name: 'gone', expires: 1 });
    const store = openStore(service.current.config.databaseUrl);
    let row;
    try {
      row = await store.insert(rules, 'default', newRow(rules, { priority: 5, fromnumber: '[12', schedule: 'night', periods: [{ d: 1 }], storageruleid: storagerule.id }));
    } finally {
      await store.close();
    }
    await execBehindTheService(service.current.config.databaseUrl, `DELETE FROM storagerules WHERE id = '${storagerule.id}'`);
    const one = await api.get(`${RR}/${row.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(
      { fromnumber: one.body.fromnumber, schedule: one.body.schedule, periods: one.body.periods },
      { fromnumber: '[12', schedule: 'night', periods: [{ d: 1 }] },
    );
    const listed = await api.get(RR, { filter: '{"schedule":"night"}', mask: 'id,schedule,storageruleid' });
    assert.deepEqual(listed.body, [{ id: row.id, schedule: 'night', storageruleid: storagerule.id }]);
    const patched = await api.patch(`${RR}/${row.id}`, { opts: { title: 'legacy' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.schedule, 'night');
  });
});
