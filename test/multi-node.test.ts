// Two service processes on one database, as behind a load balancer: what
// one node writes the other sees at once, uniqueness holds under racing
// creates, and racing PATCHes of one entity lose no field.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, startServiceProcess, type ServiceProcess } from './support/process.js';
import { Api, dropTestStore, IP, RR, testDatabaseUrl } from './support/service.js';

describe('two nodes on one database', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'collections-nodes-'));
  const databaseUrl = testDatabaseUrl(dataDir);
  let nodes: ServiceProcess[] = [];
  let a: Api;
  let b: Api;

  before(async () => {
    const env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir };
    // Started together: both run the migrations at once on an empty database.
    nodes = await Promise.all([1, 2].map(() => startServiceProcess(env)));
    await runCli(['admin', 'create-domain', 'default'], env);
    const key = await runCli(['admin', 'create-key', 'default'], env);
    [a, b] = nodes.map((node) => new Api(node.url, key));
  });

  after(async () => {
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(nodes.map((node) => node.exited));
    await dropTestStore(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('creates, patches and deletes on one node are seen by the other at once', async () => {
    const point = await a.create(IP, { type: 'public', code: 'NODES' });
    assert.deepEqual((await b.get(`${IP}/${point.id}`)).body, point);
    assert.deepEqual((await b.lookup(IP, point.token_local)).body, [point.id]);

    const patched = await b.patch(`${IP}/${point.id}`, { url: 'https://b.example/hook', opts: { issync: true } });
    assert.equal(patched.status, 200);
    assert.deepEqual((await a.get(`${IP}/${point.id}`)).body, patched.body);
    assert.deepEqual(
      (await a.get(IP, { filter: '{"opts.issync":true}', mask: 'id' })).body,
      [{ id: point.id }],
    );

    assert.equal((await a.delete(`${IP}/${point.id}`)).status, 204);
    assert.equal((await b.get(`${IP}/${point.id}`)).status, 404);
    assert.equal((await b.lookup(IP, 'NODES')).status, 404);
  });

  test('racing creates on both nodes: ids and tokens stay unique', async () => {
    const created = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).post(IP, { type: 'public', code: `race-${i}` })),
    );
    assert.ok(created.every((reply) => reply.status === 200));
    assert.equal(new Set(created.map((reply) => reply.body.id)).size, 60);
    assert.equal(new Set(created.map((reply) => reply.body.token_local)).size, 60);

    // The same client-given id sent to both nodes at once: exactly one create wins.
    for (let round = 0; round < 10; round++) {
      const id = `0000${round.toString(16).padStart(4, '0')}-0000-4000-8000-000000000000`;
      const replies = await Promise.all([a, b, a, b].map((node) => node.post(RR, { id, priority: round })));
      const statuses = replies.map((reply) => reply.status).sort();
      assert.deepEqual(statuses, [200, 409, 409, 409], `round ${round}`);
      assert.ok(replies.filter((reply) => reply.status === 409).every((reply) => reply.body.error_code === 1409));
    }
    assert.equal((await a.get(RR, { limit: '100' })).body.length, 10);
  });

  test('racing PATCHes of one entity through both nodes lose no field update', async () => {
    const point = await a.create(IP, { type: 'public' });
    const updates = [
      { url: 'https://x.example' },
      { token_remote: 'remote' },
      { code: 'C' },
      { opts: { title: 'T' } },
      { opts: { comment: 'C' } },
      { opts: { issync: true } },
      { opts: { recv_timeout: 9 } },
      ...Array.from({ length: 12 }, (_, i) => ({ ext: { [`k${i}`]: i } })),
    ];
    const replies = await Promise.all(updates.map((body, i) => (i % 2 ? a : b).patch(`${IP}/${point.id}`, body)));
    assert.ok(replies.every((reply) => reply.status === 200));
    const { body: final } = await b.get(`${IP}/${point.id}`);
    assert.equal(final.url, 'https://x.example');
    assert.equal(final.token_remote, 'remote');
    assert.equal(final.code, 'C');
    assert.deepEqual(final.opts, { title: 'T', comment: 'C', allow_files_api: false, issync: true, recv_timeout: 9 });
    for (let i = 0; i < 12; i++) assert.equal(final.ext[`k${i}`], i, `ext.k${i}`);
    assert.equal(final.token_local, point.token_local);
  });
});
