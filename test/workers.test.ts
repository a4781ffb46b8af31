// WORKERS=2: two processes answer on one port, a write through one is read
// and decided by the other at once, a change made through one reaches an
// event stream on the other, a scrape counts the requests of both, and
// SIGTERM stops the primary and every worker cleanly.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { startServiceProcess } from './support/process.js';
import { dropTestStore, onPostgres, RR, testDatabaseUrl } from './support/service.js';
import { CATCH_UP_MS } from '../src/store/sqlite-change-log.js';

const REQUESTS = 24;
const DECIDE = '/rest/v1/uc/recording_decisions';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// How long a worker may take to learn of another's write: the embedded store's catch-up bound; PostgreSQL's NOTIFY has none, so a generous deadline.
const DECISION_DEADLINE_MS = 2000;

/** The pids of the processes whose logs say they answered `method path` (pino's "incoming request" lines). */
function pidsAnswering(logs: readonly string[], method: string, path: string): Set<number> {
  const pids = new Set<number>();
  for (const line of logs) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line);
    if (entry.msg === 'incoming request' && entry.req?.method === method && entry.req?.path === path) pids.add(entry.pid);
  }
  return pids;
}

/** One request on a connection of its own, so the cluster hands each to a worker anew. */
function onNewConnection(method: string, url: string, key: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const request = http.request(url, { method, agent: false, headers }, (reply) => {
      let text = '';
      reply.setEncoding('utf8');
      reply.on('data', (chunk: string) => (text += chunk));
      reply.once('end', () => resolve({ status: reply.statusCode!, text }));
    });
    request.once('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('WORKERS=2', () => {
  test('both workers answer on one port, share changes and metrics, and stop on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'collections-workers-'));
    const databaseUrl = testDatabaseUrl(dataDir);
    const keyFile = path.join(dataDir, 'bootstrap-key');
    const node = await startServiceProcess({ WORKERS: '2', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, BOOTSTRAP_KEY_FILE: keyFile });
    try {
      const ready = Date.now() + 15_000;
      while (!node.logs.some((line) => line.includes('"all workers listening"')) && Date.now() < ready) await new Promise((resolve) => setTimeout(resolve, 50));
      const key = readFileSync(keyFile, 'utf8').trim();
      const missing = `${node.url}${RR}/00000000-0000-0000-0000-000000000000`;
      for (let i = 0; i < REQUESTS; i++) assert.equal((await onNewConnection('GET', missing, key)).status, 404);

      // Every worker logs what it answered with its own pid (pino's "pid" field).
      const answeredBy = new Set<number>();
      for (const line of node.logs) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line);
        if (entry.msg === 'request completed' && entry.res?.statusCode === 404) answeredBy.add(entry.pid);
      }
      assert.equal(answeredBy.size, 2, `two processes answered: ${[...answeredBy].join(', ')}`);
      assert.ok(!answeredBy.has(node.process.pid!), 'the primary itself serves nothing');

      // A scrape, whichever worker takes it, counts the requests of both.
      const metrics = await fetch(`${node.url}/metrics`).then((reply) => reply.text());
      const counted = new RegExp(`^http_requests_total\\{method="GET",route="${RR}/:id",status="404"\\} (\\d+)$`, 'm').exec(metrics);
      assert.equal(Number(counted?.[1]), REQUESTS);

      // A write through one worker is read through the other at once: both serve the same id after one POST.
      const posted = await onNewConnection('POST', `${node.url}${RR}`, key, { priority: 7, tonumber: '5550100' });
      assert.equal(posted.status, 200);
      const { id } = JSON.parse(posted.text) as { id: string };
      for (let i = 0; i < 6; i++) {
        const read = await onNewConnection('GET', `${node.url}${RR}/${id}`, key);
        assert.equal(read.status, 200, read.text);
        assert.equal((JSON.parse(read.text) as { priority: number }).priority, 7);
      }
      await pause(100);
      const writer = pidsAnswering(node.logs, 'POST', RR);
      assert.equal(writer.size, 1);
      assert.equal(pidsAnswering(node.logs, 'GET', `${RR}/${id}`).size, 2, 'both workers read the new entity');

      // ... and decided by both, once the other worker has learnt of it.
      const call = { from: { number: '74950000000' }, to: { number: '5550100', domain: 'default' } };
      await pause(onPostgres ? 0 : 2 * CATCH_UP_MS);
      const decideBy = Date.now() + DECISION_DEADLINE_MS;
      for (let i = 0; i < 6; i++) {
        for (;;) {
          const decided = await onNewConnection('POST', `${node.url}${DECIDE}`, key, call);
          assert.equal(decided.status, 200, decided.text);
          const ruleId = (JSON.parse(decided.text) as { domains: { rule: { id: string } | null }[] }).domains[0].rule?.id;
          if (ruleId === id) break;
          assert.ok(onPostgres && Date.now() < decideBy, `decision ${i} reflects the rule written through the other worker`);
          await pause(20);
        }
      }
      await pause(100);
      assert.equal(pidsAnswering(node.logs, 'POST', DECIDE).size, 2, 'both workers decided');
      assert.equal((await onNewConnection('DELETE', `${node.url}${RR}/${id}`, key)).status, 204);

      // Changes made through any worker reach a stream on any other (the embedded store relays them through the primary).
      const stream = await fetch(`${node.url}/rest/v1/events`, { headers: { authorization: `Bearer ${key}` } });
      const reader = stream.body!.getReader();
      let seen = '';
      const created: string[] = [];
      for (let i = 0; i < 6; i++) {
        const reply = await onNewConnection('POST', `${node.url}${RR}`, key, { priority: i });
        assert.equal(reply.status, 200);
        created.push((JSON.parse(reply.text) as { id: string }).id);
      }
      const deadline = Date.now() + 10_000;
      while (!created.every((id) => seen.includes(id)) && Date.now() < deadline) {
        const { value, done } = await Promise.race([reader.read(), new Promise<{ value: undefined; done: true }>((resolve) => setTimeout(() => resolve({ value: undefined, done: true }), 500))]);
        if (value) seen += Buffer.from(value).toString();
        else if (done && Date.now() >= deadline) break;
      }
      assert.ok(created.every((id) => seen.includes(id)), 'the stream saw every create, whichever worker took it');
      await reader.cancel();

      node.process.kill('SIGTERM');
      const code = await Promise.race([node.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
      assert.equal(code, 0);
      for (const pid of answeredBy) assert.ok(!alive(pid), `worker ${pid} has stopped`);
    } finally {
      if (node.process.exitCode === null) node.process.kill('SIGKILL');
      await dropTestStore(databaseUrl);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
