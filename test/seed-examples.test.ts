// The seed documents' examples, reproduced through the running server:
// same fields, same values where the client chose them, same field order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keyPaths, seedResponses, withoutVolatile } from './support/seeds.js';
import { IP, RR, useService } from './support/service.js';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\dZ$/;

describe('integration_points seed', () => {
  const { api } = useService();
  const seed = seedResponses('integration_points.txt');
  const input = {
    id: seed.created.id,
    code: 'ABCDE',
    type: 'public',
    url: 'http://trapper.com',
    recv_svcscriptcode: 'ws_hook',
    send_svcscriptcode: 'send_to_web',
  };

  test('POST answers 200 with the stored entity in the seed shape', async () => {
    const reply = await api.post(IP, input);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(keyPaths(reply.body), keyPaths(seed.created));
    assert.deepEqual(withoutVolatile(reply.body), withoutVolatile(seed.created));
    assert.match(reply.body.token_local, /^[0-9a-f]{32}$/);
    assert.match(reply.body.ext.ct, TIMESTAMP);
    assert.equal(reply.body.ext.lwt, reply.body.ext.ct);
  });

  test('GET one answers the full entity as in the seed', async () => {
    const reply = await api.get(`${IP}/${seed.created.id}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(keyPaths(reply.body), keyPaths(seed.one));
    assert.deepEqual(withoutVolatile(reply.body), withoutVolatile(seed.one));
  });

  test('the list example: offset=0&limit=2 with the list projection', async () => {
    const second = seed.list[1];
    // Default order is creation time (centiseconds), then id: be sure the two differ in time.
    await new Promise((resolve) => setTimeout(resolve, 30));
    await api.create(IP, { id: second.id, code: second.code, type: second.type, url: second.url, recv_svcscriptcode: 'ws_hook', send_svcscriptcode: 'send_to_web' });
    const reply = await api.get(IP, { offset: '0', limit: '2' });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, 2);
    reply.body.forEach((entity: any, i: number) => {
      assert.deepEqual(keyPaths(entity), keyPaths(seed.list[i]));
      assert.deepEqual(withoutVolatile(entity), withoutVolatile(seed.list[i]));
    });
  });

  test('the PATCH example changes token_remote and the write time only', async () => {
    const before = await api.get(`${IP}/${seed.created.id}`);
    const reply = await api.patch(`${IP}/${seed.created.id}`, { token_remote: '00ea293c29f9dc30' });
    assert.equal(reply.status, 200);
    assert.deepEqual(keyPaths(reply.body), keyPaths(seed.patched));
    assert.deepEqual(withoutVolatile(reply.body), withoutVolatile(seed.patched));
    assert.equal(reply.body.token_local, before.body.token_local);
    assert.equal(reply.body.ext.ct, before.body.ext.ct);
    assert.ok(reply.body.ext.lwt >= before.body.ext.lwt);
  });

  test('the LOOKUP examples: a token finds its id, an unknown key fails', async () => {
    const { body: entity } = await api.get(`${IP}/${seed.created.id}`);
    const found = await api.lookup(IP, entity.token_local);
    assert.equal(found.status, 200);
    assert.deepEqual(found.body, seed.lookupFound);
    const failed = await api.lookup(IP, '82ddc7c68623726346a78371173e2f8d');
    assert.equal(failed.status, 404);
    assert.deepEqual(failed.body, seed.lookupFailed);
  });

  test('the DELETE example answers 204 with no body', async () => {
    const reply = await api.delete(`${IP}/${seed.created.id}`);
    assert.equal(reply.status, 204);
    assert.equal(reply.text, '');
  });
});

describe('recordrules seed', () => {
  const { api } = useService();
  const seed = seedResponses('recordrules.ru.txt');
  const created = { id: seed.created.id, priority: 99, storageruleid: seed.created.storageruleid, schedule: 'work' };

  test('POST answers the seed entity with defaults filled in', async () => {
    // The storagerule the seed's rules name (storageruleid is checked on write).
    await api.create('/rest/v1/domain/storagerules', { id: seed.created.storageruleid, name: 'seed', expires: 30 });
    const reply = await api.post(RR, created);
    assert.equal(reply.status, 200);
    // The seed lists opts as {comment, title} here but {title, comment} everywhere
    // else; the service keeps one order, the GET/PATCH one (docs/contract.md, "Field order").
    assert.deepEqual(keyPaths(reply.body), keyPaths(seed.one));
    assert.deepEqual(withoutVolatile(reply.body, ['ext']), withoutVolatile(seed.created, ['ext']));
  });

  test('GET one answers the full entity, periods and opts.comment included', async () => {
    const reply = await api.get(`${RR}/${seed.created.id}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(keyPaths(reply.body), keyPaths(seed.one));
    assert.deepEqual(withoutVolatile(reply.body, ['ext']), withoutVolatile(seed.one, ['ext']));
  });

  test('the list example: no periods, opts with title only', async () => {
    const first = seed.list[0];
    await api.create(RR, { id: first.id, priority: first.priority, dir: first.dir, storageruleid: first.storageruleid, schedule: first.schedule });
    await api.patch(`${RR}/${seed.created.id}`, { crossdomain: '*' });
    // The seed's page is ordered by priority, not by creation time (the default), so ask for that order.
    const reply = await api.get(RR, { offset: '0', limit: '2', order: '["priority"]' });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, 2);
    reply.body.forEach((entity: any, i: number) => {
      assert.deepEqual(keyPaths(entity), keyPaths(seed.list[i]));
      assert.deepEqual(withoutVolatile(entity, ['ext']), withoutVolatile(seed.list[i], ['ext']));
    });
  });

  test('the PATCH example', async () => {
    const reply = await api.patch(`${RR}/${seed.created.id}`, { dir: 'inner', fromnumber: '101', tonumber: '115', crossdomain: '*', rec: 0, schedule: 'all' });
    assert.equal(reply.status, 200);
    assert.deepEqual(keyPaths(reply.body), keyPaths(seed.patched));
    assert.deepEqual(withoutVolatile(reply.body, ['ext']), withoutVolatile(seed.patched, ['ext']));
  });

  test('the LOOKUP examples', async () => {
    const found = await api.lookup(RR, seed.created.id);
    assert.equal(found.status, 200);
    assert.deepEqual(found.body, seed.lookupFound);
    const failed = await api.lookup(RR, 'ffffffff-016c-d2b3-e556-50e54938780c');
    assert.equal(failed.status, 404);
    assert.deepEqual(failed.body, seed.lookupFailed);
  });

  test('the DELETE example', async () => {
    const reply = await api.delete(`${RR}/${seed.created.id}`);
    assert.equal(reply.status, 204);
    assert.equal((await api.get(`${RR}/${seed.created.id}`)).status, 404);
  });
});
