// The working-time entities of a domain: storagerules and workdays (declared
// collections with every verb, LOOKUP and list parameter) and the calendar
// document (GET, PATCH, validated).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addKey, Api, useService } from './support/service.js';

const SR = '/rest/v1/domain/storagerules';
const WD = '/rest/v1/domain/workdays';
const CAL = '/rest/v1/domain/calendar';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fieldsOf = (body: any) => body.error_details.map((detail: any) => detail.field);

describe('storagerules', () => {
  const { api } = useService();

  test('create fills defaults; expires is required and an integer', async () => {
    const created = await api.create(SR, { expires: 90 });
    assert.deepEqual({ ...created, id: undefined, ext: undefined }, { id: undefined, name: '', expires: 90, opts: { title: '', comment: '' }, ext: undefined });
    const missing = await api.post(SR, { name: 'x' });
    assert.equal(missing.status, 400);
    assert.deepEqual(fieldsOf(missing.body), ['expires']);
    const wrong = await api.post(SR, { expires: '90', color: 'red' });
    assert.equal(wrong.status, 400);
    assert.deepEqual(fieldsOf(wrong.body).sort(), ['color', 'expires']);
  });

  test('GET, PATCH, list parameters, LOOKUP by id and name, DELETE', async () => {
    const short = await api.create(SR, { name: '7 days', expires: 7, opts: { title: 'short' } });
    await pause(15);
    const long = await api.create(SR, { name: '90 days', expires: 90 });
    assert.deepEqual((await api.get(`${SR}/${short.id}`)).body, short);

    const patched = await api.patch(`${SR}/${short.id}`, { expires: 8, opts: { comment: 'week and a day' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.expires, 8);
    assert.deepEqual(patched.body.opts, { title: 'short', comment: 'week and a day' });

    const list = await api.get(SR, { filter: '["<", ["property", "expires"], 50]', mask: 'id,name,opts.title', flat: 'true' });
    assert.deepEqual(list.body, [{ id: short.id, name: '7 days', 'opts.title': 'short' }]);
    const ordered = await api.get(SR, { filter: '["like", ["property", "name"], "* days"]', order: '[{"expires":"desc"}]', mask: 'name' });
    assert.deepEqual(ordered.body, [{ name: '90 days' }, { name: '7 days' }]);
    // Without mask: the list projection (opts.title only).
    const all = await api.get(SR, { filter: JSON.stringify({ name: '90 days' }) });
    assert.deepEqual(all.body, [{ id: long.id, name: '90 days', expires: 90, opts: { title: '' }, ext: long.ext }]);

    assert.deepEqual((await api.lookup(SR, '90 days')).body, [long.id]);
    assert.deepEqual((await api.lookup(SR, long.id.toUpperCase())).body, [long.id]);
    assert.equal((await api.lookup(SR, 'nothing')).status, 404);

    assert.equal((await api.delete(`${SR}/${long.id}`)).status, 204);
    assert.equal((await api.get(`${SR}/${long.id}`)).status, 404);
    const wrongVerb = await api.request('PUT', SR, {});
    assert.equal(wrongVerb.status, 405);
    assert.equal(wrongVerb.headers.get('allow'), 'GET, HEAD, POST, LOOKUP, QUERY');
  });
});

describe('workdays', () => {
  const service = useService();
  const { api } = service;

  test('create with defaults; date is a real calendar day', async () => {
    const day = await api.create(WD, { date: '2026-12-31' });
    assert.deepEqual(
      { ...day, id: undefined, ext: undefined },
      { id: undefined, date: '2026-12-31', isannual: 0, isworkday: 0, asdow: 0, periods: [], opts: { title: '', comment: '' }, ext: undefined },
    );
    for (const date of ['2026-02-30', '2026-13-01', '26-01-01', '2026-1-1', '']) {
      const reply = await api.post(WD, { date });
      assert.equal(reply.status, 400, date);
      assert.deepEqual(fieldsOf(reply.body), ['date'], date);
    }
    assert.equal((await api.post(WD, { date: '2028-02-29' })).status, 200, 'a leap day');
  });

  test('date is unique in a domain (409/1409), not across domains', async () => {
    await api.create(WD, { date: '2027-01-07', isworkday: 1 });
    const duplicate = await api.post(WD, { date: '2027-01-07' });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.error_code, 1409);
    assert.deepEqual(fieldsOf(duplicate.body), ['date']);
    const other = new Api(service.current.url, await addKey(service.current, 'other-calendar'));
    assert.equal((await other.post(WD, { date: '2027-01-07' })).status, 200);
  });

  test('isannual, isworkday, asdow and periods are validated', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ isannual: 2 }, ['isannual']],
      [{ isworkday: 3 }, ['isworkday']],
      [{ asdow: 8 }, ['asdow']],
      [{ periods: [{ from: '09:00' }] }, ['periods.0.to']],
      [{ periods: [{ from: '13:00', to: '09:00' }] }, ['periods.0.to']],
      [{ periods: [{ from: '09:00', to: '09:00' }] }, ['periods.0.to']],
      [{ periods: [{ from: '9:00', to: '25:00' }] }, ['periods.0.from', 'periods.0.to']],
      [{ periods: [{ from: '09:00', to: '13:00', days: [1] }] }, ['periods.0.days']],
    ];
    for (const [fields, expected] of cases) {
      const reply = await api.post(WD, { date: '2030-05-01', ...fields });
      assert.equal(reply.status, 400, JSON.stringify(fields));
      assert.deepEqual(fieldsOf(reply.body).sort(), expected, JSON.stringify(fields));
    }
    const day = await api.create(WD, { date: '2030-05-01', isworkday: 2, periods: [{ from: '10:00', to: '14:00' }, { from: '20:00', to: '24:00' }] });
    assert.deepEqual(day.periods, [{ from: '10:00', to: '14:00' }, { from: '20:00', to: '24:00' }]);
    const bad = await api.patch(`${WD}/${day.id}`, { periods: [{ from: '14:00', to: '10:00' }] });
    assert.equal(bad.status, 400);
    assert.deepEqual((await api.get(`${WD}/${day.id}`)).body, day, 'a refused PATCH changes nothing');
  });

  test('LOOKUP by date and id; list filter and order on date', async () => {
    const day = await api.create(WD, { date: '2031-03-08', isannual: 1 });
    assert.deepEqual((await api.lookup(WD, '2031-03-08')).body, [day.id]);
    assert.deepEqual((await api.lookup(WD, day.id)).body, [day.id]);
    assert.equal((await api.lookup(WD, '2031-03-09')).status, 404);
    const annual = await api.get(WD, { filter: '{"isannual":1}', mask: 'date' });
    assert.deepEqual(annual.body, [{ date: '2031-03-08' }]);
    const latest = await api.get(WD, { order: '[{"date":"desc"}]', mask: 'date', limit: '1' });
    assert.deepEqual(latest.body, [{ date: '2031-03-08' }]);
  });
});

describe('calendar', () => {
  const service = useService();
  const { api } = service;

  test('a domain starts with UTC and Monday-Friday 09:00-18:00', async () => {
    const reply = await api.get(CAL);
    assert.equal(reply.status, 200);
    const office = [{ from: '09:00', to: '18:00' }];
    assert.deepEqual(reply.body, { timezone: 'UTC', week: { '1': office, '2': office, '3': office, '4': office, '5': office, '6': [], '7': [] } });
  });

  test('PATCH replaces the fields it names, and inside week the weekdays it names', async () => {
    const zone = await api.patch(CAL, { timezone: 'America/New_York' });
    assert.equal(zone.status, 200);
    assert.equal(zone.body.timezone, 'America/New_York');
    const saturday = await api.patch(CAL, { week: { '6': [{ from: '10:00', to: '14:00' }], '1': [] } });
    assert.equal(saturday.status, 200);
    assert.deepEqual(saturday.body.week['6'], [{ from: '10:00', to: '14:00' }]);
    assert.deepEqual(saturday.body.week['1'], []);
    assert.deepEqual(saturday.body.week['2'], [{ from: '09:00', to: '18:00' }]);
    assert.equal(saturday.body.timezone, 'America/New_York');
    assert.deepEqual((await api.get(CAL)).body, saturday.body);
  });

  test('unknown zones, bad periods and unknown fields are 400 naming them; nothing changes', async () => {
    const before = (await api.get(CAL)).body;
    const cases: [unknown, string[]][] = [
      [{ timezone: 'Mars/Olympus' }, ['timezone']],
      [{ timezone: '+01:00' }, ['timezone']],
      [{ timezone: 3 }, ['timezone']],
      [{ week: { '1': [{ from: '18:00', to: '09:00' }] } }, ['week.1.0.to']],
      [{ week: { '8': [] } }, ['week.8']],
      [{ week: { '2': [{ from: '09:00', to: '12:00', days: [2] }] } }, ['week.2.0.days']],
      [{ zone: 'UTC' }, ['zone']],
    ];
    for (const [body, fields] of cases) {
      const reply = await api.patch(CAL, body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.error_code, 1400);
      assert.deepEqual(fieldsOf(reply.body), fields, JSON.stringify(body));
    }
    assert.equal((await api.patch(CAL, [])).status, 400);
    assert.deepEqual((await api.get(CAL)).body, before);
  });

  test('per domain; read-only keys read it; other verbs are 405', async () => {
    await api.patch(CAL, { timezone: 'Asia/Tokyo' });
    const other = new Api(service.current.url, await addKey(service.current, 'another'));
    assert.equal((await other.get(CAL)).body.timezone, 'UTC');
    const reader = new Api(service.current.url, await addKey(service.current, 'default', 'read-only'));
    assert.equal((await reader.get(CAL)).body.timezone, 'Asia/Tokyo');
    assert.equal((await reader.patch(CAL, { timezone: 'UTC' })).status, 403);
    const post = await api.post(CAL, {});
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD, PATCH');
    assert.equal((await api.get(CAL, { mask: 'timezone' })).status, 400);
  });
});
