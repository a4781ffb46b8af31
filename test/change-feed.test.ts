// GET /rest/v1/events: changes as Server-Sent Events, per domain, read by a
// real streaming client; across nodes on one store.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventStream } from './support/event-stream.js';
import { RawConnection, rawRequest } from './support/raw-http.js';
import { addKey, Api, execBehindTheService, IP, onPostgres, RR, startTestService, useService } from './support/service.js';

const EVENTS = '/rest/v1/events';

describe('change feed', () => {
  const service = useService();
  const { api } = service;

  test('create, update and delete of both collections arrive in order', async () => {
    const stream = await EventStream.open(`${service.current.url}${EVENTS}`, service.current.key);
    try {
      assert.match(stream.headers!.get('content-type')!, /^text\/event-stream/);
      const rule = await api.create(RR, { priority: 1 });
      await api.patch(`${RR}/${rule.id}`, { priority: 2 });
      await api.delete(`${RR}/${rule.id}`);
      const point = await api.create(IP, { type: 'public' });
      const received = [await stream.next(), await stream.next(), await stream.next(), await stream.next()];
      assert.deepEqual(
        received.map(({ event, data }) => [event, data]),
        [
          ['create', { op: 'create', collection: 'recordrules', id: rule.id }],
          ['update', { op: 'update', collection: 'recordrules', id: rule.id }],
          ['delete', { op: 'delete', collection: 'recordrules', id: rule.id }],
          ['create', { op: 'create', collection: 'integration_points', id: point.id }],
        ],
      );
      assert.deepEqual(received.map((event) => event.id), ['1', '2', '3', '4']);
    } finally {
      stream.close();
    }
  });

  test('a stream sees its own domain only, and ?collection narrows it', async () => {
    const otherKey = await addKey(service.current, 'other');
    const other = new Api(service.current.url, otherKey);
    const stream = await EventStream.open(`${service.current.url}${EVENTS}?collection=recordrules`, otherKey);
    try {
      await api.create(RR, { priority: 1 });
      await other.create(IP, { type: 'public' });
      const mine = await other.create(RR, { priority: 3 });
      assert.deepEqual((await stream.next()).data, { op: 'create', collection: 'recordrules', id: mine.id });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(stream.pending, 0);
    } finally {
      stream.close();
    }
  });

  test('refused without a key or with unknown parameters', async () => {
    assert.equal((await api.request('GET', EVENTS, undefined, { authorization: '' })).status, 401);
    assert.equal((await api.get(EVENTS, { collection: 'nope' })).status, 400);
    assert.equal((await api.get(EVENTS, { since: '1' })).status, 400);
  });

  test('HEAD answers the stream\'s headers and ends', async () => {
    const reply = await api.request('HEAD', EVENTS);
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type')!, /^text\/event-stream/);
    assert.equal(reply.text, '');
    assert.equal((await api.request('HEAD', `${EVENTS}?collection=nope`)).status, 400);
  });

  test('HEAD claims no length, which the stream does not have, and the connection goes on', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(rawRequest('HEAD', EVENTS, undefined, { authorization: `Bearer ${service.current.key}` }) + rawRequest('GET', '/healthz'));
      const [head, health] = await connection.read(2);
      assert.equal(head.status, 200);
      assert.match(head.headers['content-type'], /^text\/event-stream/);
      assert.equal(head.headers['content-length'], undefined);
      assert.equal(health.status, 200);
    } finally {
      connection.destroy();
    }
  });

  test('across nodes: a write on one node reaches a stream on the other', async () => {
    const second = await startTestService({ databaseUrl: service.current.config.databaseUrl });
    const stream = await EventStream.open(`${second.url}${EVENTS}`, service.current.key);
    try {
      const rule = await api.create(RR, { priority: 7 });
      assert.deepEqual((await stream.next()).data, { op: 'create', collection: 'recordrules', id: rule.id });
    } finally {
      stream.close();
      await second.stop();
    }
  });

  test('on PostgreSQL writes around the service are announced too, by a trigger on the table; refused ones never', { skip: !onPostgres && 'PostgreSQL only: the embedded store does not log writes made around the service' }, async () => {
    const stream = await EventStream.open(`${service.current.url}${EVENTS}?collection=recordrules`, service.current.key);
    try {
      const rule = await api.create(RR, { priority: 1 });
      assert.deepEqual((await stream.next()).data, { op: 'create', collection: 'recordrules', id: rule.id });
      // As psql would, with none of the service's nodes involved.
      await execBehindTheService(service.current.config.databaseUrl, `UPDATE recordrules SET priority = 2 WHERE id = '${rule.id}'`);
      assert.deepEqual((await stream.next()).data, { op: 'update', collection: 'recordrules', id: rule.id });
      // Refused and rolled back inside the store (a storagerule that does not exist): nothing to announce.
      assert.equal((await api.post(RR, { priority: 3, storageruleid: '0190a0b0-0000-7000-8000-000000000000' })).status, 400);
      // Any database user may NOTIFY on the channel: what is not a change is passed over.
      for (const payload of ['not json', 'null', '{"op":"create","collection":"recordrules"}'])
        await execBehindTheService(service.current.config.databaseUrl, `SELECT pg_notify('collection_changes_' || current_schema(), '${payload}')`);
      await execBehindTheService(service.current.config.databaseUrl, `DELETE FROM recordrules WHERE id = '${rule.id}'`);
      assert.deepEqual((await stream.next()).data, { op: 'delete', collection: 'recordrules', id: rule.id });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(stream.pending, 0, 'each change once, the refused write never');
    } finally {
      stream.close();
    }
  });
});
