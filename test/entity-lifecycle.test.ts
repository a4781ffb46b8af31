// Create, patch, delete and lookup semantics: generated values, immutable
// fields, timestamps, and how PATCH merges.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IP, RR, useService } from './support/service.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('create', () => {
  const { api } = useService();

  test('token_local is 32 lowercase hex characters and unique', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const point = await api.create(IP, { type: 'public' });
      assert.match(point.token_local, /^[0-9a-f]{32}$/);
      tokens.add(point.token_local);
    }
    assert.equal(tokens.size, 50);
  });

  test('id is generated as a UUID unless the client gives one; given ids are kept in lowercase', async () => {
    const generated = await api.create(RR, { priority: 1 });
    assert.match(generated.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // Version 7, variant 10: time-ordered, so ids created later sort later.
    assert.match(generated.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const later = await api.create(RR, { priority: 1 });
    assert.ok(later.id > generated.id, `${later.id} sorts after ${generated.id}`);
    const given = await api.create(RR, { id: 'ABCDEF01-016C-D2B3-E556-50E54938780C', priority: 1 });
    assert.equal(given.id, 'abcdef01-016c-d2b3-e556-50e54938780c');
    assert.equal((await api.get(`${RR}/ABCDEF01-016C-D2B3-E556-50E54938780C`)).status, 200);
  });

  test('defaults fill every field the client left out', async () => {
    const point = await api.create(IP, { type: 'public' });
    assert.deepEqual(
      { ...point, id: undefined, token_local: undefined, ext: undefined },
      {
        id: undefined,
        code: '',
        type: 'public',
        token_local: undefined,
        token_remote: '',
        token_remote2: '',
        url: '',
        recv_svcscriptcode: '',
        recv_svcscriptcode_ws: '',
        send_svcscriptcode: '',
        send_svcscriptcode_ws: '',
        opts: { title: '', comment: '', allow_files_api: false, issync: false },
        ext: undefined,
      },
    );
  });

  test('ext keeps client keys; ct and lwt are the server\'s', async () => {
    const point = await api.create(IP, { type: 'public', ext: { ct: '2000-01-01T00:00:00.00Z', source: 'crm', nested: { a: [1] } } });
    assert.notEqual(point.ext.ct, '2000-01-01T00:00:00.00Z');
    assert.equal(point.ext.lwt, point.ext.ct);
    assert.equal(point.ext.source, 'crm');
    assert.deepEqual(point.ext.nested, { a: [1] });
    assert.deepEqual(Object.keys(point.ext).slice(0, 2), ['ct', 'lwt']);
    assert.deepEqual((await api.get(`${IP}/${point.id}`)).body.ext, point.ext);
  });

  test('null inside opts means the default', async () => {
    const rule = await api.create(RR, { priority: 1, opts: { title: null } });
    assert.equal(rule.opts.title, '');
  });
});

describe('patch', () => {
  const { api } = useService();

  test('top-level fields replace; untouched fields stay', async () => {
    const rule = await api.create(RR, { priority: 1, dir: 'incoming', periods: [{ from: '09:00', to: '12:00' }, { from: '13:00', to: '18:00' }] });
    const reply = await api.patch(`${RR}/${rule.id}`, { periods: [{ days: [6], from: '22:00', to: '06:00' }], schedule: 'work' });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body.periods, [{ days: [6], from: '22:00', to: '06:00' }]);
    assert.equal(reply.body.dir, 'incoming');
    assert.equal(reply.body.schedule, 'work');
  });

  test('opts merges key by key; null resets a key', async () => {
    const point = await api.create(IP, { type: 'public', opts: { title: 'T', issync: true, recv_timeout: 10 } });
    const merged = await api.patch(`${IP}/${point.id}`, { opts: { comment: 'C' } });
    assert.deepEqual(merged.body.opts, { title: 'T', comment: 'C', allow_files_api: false, issync: true, recv_timeout: 10 });
    const reset = await api.patch(`${IP}/${point.id}`, { opts: { issync: null, recv_timeout: null } });
    assert.deepEqual(reset.body.opts, { title: 'T', comment: 'C', allow_files_api: false, issync: false });
  });

  test('ext merges key by key; null removes a client key; ct is kept and lwt moves', async () => {
    const point = await api.create(IP, { type: 'public', ext: { a: 1, b: 2 } });
    await pause(20);
    const reply = await api.patch(`${IP}/${point.id}`, { ext: { b: null, c: 3, ct: 'ignored', lwt: 'ignored' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.ext.ct, point.ext.ct);
    assert.ok(reply.body.ext.lwt > point.ext.lwt, 'lwt moves forward');
    assert.deepEqual({ ...reply.body.ext, ct: undefined, lwt: undefined }, { ct: undefined, lwt: undefined, a: 1, c: 3 });
  });

  test('a GET-modify-PATCH round trip is accepted: prohibited fields may repeat their value', async () => {
    const point = await api.create(IP, { type: 'public', code: 'RT' });
    const { body: current } = await api.get(`${IP}/${point.id}`);
    current.url = 'https://example.test/hook';
    const reply = await api.patch(`${IP}/${point.id}`, current);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.url, 'https://example.test/hook');
    assert.equal(reply.body.token_local, point.token_local);
    assert.equal(reply.body.id, point.id);
  });

  test('token_local never changes, whatever is sent', async () => {
    const point = await api.create(IP, { type: 'public' });
    const reply = await api.patch(`${IP}/${point.id}`, { token_local: '0'.repeat(32) });
    assert.equal(reply.status, 400);
    assert.equal((await api.get(`${IP}/${point.id}`)).body.token_local, point.token_local);
  });

  test('PATCH by an id in upper case reaches the same entity', async () => {
    const rule = await api.create(RR, { priority: 3 });
    const reply = await api.patch(`${RR}/${rule.id.toUpperCase()}`, { priority: 4 });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.priority, 4);
  });
});

describe('delete and lookup', () => {
  const { api } = useService();

  test('a deleted entity is gone from GET, lists and LOOKUP', async () => {
    const point = await api.create(IP, { type: 'public', code: 'GONE' });
    assert.equal((await api.delete(`${IP}/${point.id}`)).status, 204);
    assert.equal((await api.get(`${IP}/${point.id}`)).status, 404);
    assert.deepEqual((await api.get(IP, { filter: '{"code":"GONE"}' })).body, []);
    assert.equal((await api.lookup(IP, point.token_local)).status, 404);
    assert.equal((await api.delete(`${IP}/${point.id}`)).status, 404);
  });

  test('LOOKUP matches any key field and answers every matching id in creation order', async () => {
    const first = await api.create(IP, { type: 'public', code: 'SHARED' });
    await pause(15);
    const second = await api.create(IP, { type: 'public', code: 'SHARED' });
    assert.deepEqual((await api.lookup(IP, 'SHARED')).body, [first.id, second.id]);
    assert.deepEqual((await api.lookup(IP, first.id)).body, [first.id]);
    assert.deepEqual((await api.lookup(IP, first.id.toUpperCase())).body, [first.id]);
    assert.deepEqual((await api.lookup(IP, second.token_local)).body, [second.id]);
  });

  test('recordrules are looked up by id only', async () => {
    const rule = await api.create(RR, { priority: 1, opts: { title: 'night' } });
    assert.deepEqual((await api.lookup(RR, rule.id)).body, [rule.id]);
    assert.equal((await api.lookup(RR, 'night')).status, 404);
  });
});
