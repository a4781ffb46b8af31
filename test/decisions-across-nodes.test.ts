// Freshness of decisions across processes on one store. On the embedded
// store a write committed by another process is reflected by a decision that
// starts CATCH_UP_MS after it (the file's change log, checked through PRAGMA
// data_version); on PostgreSQL when its NOTIFY arrives, which has no fixed
// bound, so there the test measures it against a generous deadline.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCollections } from '../src/collections/registry.js';
import { newRow } from '../src/entity/rows.js';
import { CATCH_UP_MS } from '../src/store/sqlite-change-log.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { runCli, startServiceProcess, type ServiceProcess } from './support/process.js';
import { Api, dropTestStore, onPostgres, RR, testDatabaseUrl } from './support/service.js';

const DECIDE = '/rest/v1/uc/recording_decisions';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const POSTGRES_DEADLINE_MS = 2000;

describe('decisions on two nodes of one store', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'collections-decide-nodes-'));
  const databaseUrl = testDatabaseUrl(dataDir);
  let nodes: ServiceProcess[] = [];
  let a: Api;
  let b: Api;

  before(async () => {
    const env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir };
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

  // A Monday, 09:30 UTC: working time in the default calendar.
  const call = { from: { number: '74951234567' }, to: { number: '101', domain: 'default' }, at: '2026-11-23T09:30:00Z' };
  const recorded = async (node: Api) => {
    const reply = await node.post(DECIDE, call);
    assert.equal(reply.status, 200, reply.text);
    return reply.body.record as boolean;
  };

  /** Waits the stated bound and asks once (embedded), or asks until the answer comes (PostgreSQL). */
  async function reflected(node: Api, expected: boolean): Promise<number> {
    const started = performance.now();
    if (!onPostgres) {
      await pause(CATCH_UP_MS + 1);
      assert.equal(await recorded(node), expected);
      return performance.now() - started;
    }
    while ((await recorded(node)) !== expected) {
      assert.ok(performance.now() - started < POSTGRES_DEADLINE_MS, `not reflected within ${POSTGRES_DEADLINE_MS} ms`);
      await pause(1);
    }
    return performance.now() - started;
  }

  test('every write on one node is reflected by the next decision on the other', async () => {
    // Both nodes have compiled the domain before the writes begin.
    assert.equal(await recorded(a), false);
    assert.equal(await recorded(b), false);
    const rule = await a.create(RR, { priority: 1, fromnumber: '7495*', rec: 0 });
    assert.equal(await recorded(a), false, 'a rule that does not record');
    const waits: number[] = [];
    for (let round = 0; round < 30; round++) {
      const [writer, reader] = round % 2 ? [a, b] : [b, a];
      const rec = round % 2 === 0 ? 1 : 0;
      assert.equal((await writer.patch(`${RR}/${rule.id}`, { rec })).status, 200);
      waits.push(await reflected(reader, rec === 1));
      // On the writing node itself at once.
      assert.equal(await recorded(writer), rec === 1);
    }
    assert.equal((await b.delete(`${RR}/${rule.id}`)).status, 204);
    await reflected(a, false);
    if (onPostgres) console.log(`# PostgreSQL: reflected on the other node after at most ${Math.ceil(Math.max(...waits))} ms`);
  });

  test('a rule created and a calendar changed on one node decide on the other', async () => {
    const rule = await b.create(RR, { priority: 0, tonumber: '1XX', schedule: 'work' });
    await reflected(a, true);
    // Working time in UTC, not in Los Angeles (01:30).
    const at = call;
    assert.equal((await a.post(DECIDE, at)).body.domains[0].rule.id, rule.id);
    assert.equal((await a.patch('/rest/v1/domain/calendar', { timezone: 'America/Los_Angeles' })).status, 200);
    const started = performance.now();
    if (!onPostgres) await pause(CATCH_UP_MS + 1);
    for (;;) {
      const decided = (await b.post(DECIDE, at)).body.domains[0].rule?.id;
      if (decided !== rule.id) break;
      assert.ok(onPostgres && performance.now() - started < POSTGRES_DEADLINE_MS, 'the calendar change reached the other node');
      await pause(1);
    }
  });
});

describe('the embedded store change log', { skip: onPostgres && 'embedded store only' }, () => {
  test('a process that fell behind the kept log is told of the gap, and reads on after it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'collections-log-'));
    const file = path.join(dir, 'app.db');
    const models = await loadCollections();
    const rules = models.find((model) => model.name === 'recordrules')!;
    const [writer, reader] = [new SqliteStore(file), new SqliteStore(file)];
    try {
      for (const store of [writer, reader]) await store.prepare(models);
      const [writes, reads] = [await writer.openChangeFeed(), await reader.openChangeFeed()];
      const seen: string[] = [];
      let gaps = 0;
      reads.subscribeAll(
        (event) => seen.push(event.id),
        () => gaps++,
      );
      // One synchronous transaction: the reader cannot poll while it runs.
      const rows = Array.from({ length: 12_500 }, (_, i) => newRow(rules, { priority: i }));
      await writer.insertMany(rules, 'default', rows);
      await pause(5);
      reads.catchUp();
      assert.equal(gaps, 1);
      assert.ok(seen.length >= 10_000 && seen.length < rows.length, `${seen.length} changes kept after the gap`);
      assert.equal(seen[seen.length - 1], rows[rows.length - 1].id);

      const [last] = rows.slice(-1);
      await writer.delete(rules, 'default', last.id as string);
      await pause(CATCH_UP_MS + 1);
      reads.catchUp();
      assert.equal(seen[seen.length - 1], last.id);
      assert.equal(gaps, 1);
      // A process is never told of its own writes twice.
      const own: string[] = [];
      writes.subscribeAll(
        (event) => own.push(event.id),
        () => undefined,
      );
      await pause(CATCH_UP_MS + 1);
      writes.catchUp();
      assert.deepEqual(own, []);
      await Promise.all([writes.close(), reads.close()]);
    } finally {
      await writer.close();
      await reader.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
