// SIGKILL during concurrent writes, several rounds: after each restart every
// acknowledged write is there, and no write is half-applied.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { startServiceProcess, type ServiceProcess } from './support/process.js';
import { Api, dropTestStore, RR, testDatabaseUrl } from './support/service.js';

const ROUNDS = 4;
const WRITERS = 12;

type Outcome = 'acknowledged' | 'unknown';

/** What one writer did to one entity, in order; each entity has a single writer. */
interface History {
  id: string;
  priority: number;
  created?: Outcome;
  /** Values of PATCHes: sent in increasing order, each setting three fields at once. */
  acknowledgedPatch: number;
  sentPatch: number;
  deleted?: Outcome;
}

function acknowledgedCreates(histories: History[]): number {
  return histories.filter((entity) => entity.created === 'acknowledged').length;
}

async function attempt(send: () => Promise<{ status: number }>, expected: number): Promise<Outcome> {
  try {
    const reply = await send();
    if (reply.status === expected) return 'acknowledged';
    throw new Error(`unexpected status ${reply.status}`);
  } catch (err) {
    // The process died under the request: it may or may not have been applied.
    if ((err as Error).message.startsWith('unexpected status')) throw err;
    return 'unknown';
  }
}

async function writer(api: Api, worker: number, histories: History[], stop: { killed: boolean }): Promise<void> {
  for (let n = 0; !stop.killed; n++) {
    const entity: History = { id: randomUUID(), priority: worker * 10000 + n, acknowledgedPatch: 0, sentPatch: 0 };
    histories.push(entity);
    const created = await attempt(() => api.post(RR, { id: entity.id, priority: entity.priority, fromnumber: '0', tonumber: '0', ext: { mark: 0 } }), 200);
    entity.created = created;
    if (created !== 'acknowledged') return;
    for (let value = 1; value <= 3; value++) {
      entity.sentPatch = value;
      const patched = await attempt(() => api.patch(`${RR}/${entity.id}`, { fromnumber: String(value), tonumber: String(value), ext: { mark: value } }), 200);
      if (patched !== 'acknowledged') return;
      entity.acknowledgedPatch = value;
    }
    if (n % 3 === 2) {
      const deleted = await attempt(() => api.delete(`${RR}/${entity.id}`), 204);
      entity.deleted = deleted;
      if (deleted !== 'acknowledged') return;
    }
  }
}

describe('crash safety', () => {
  test(`${ROUNDS} rounds of SIGKILL under ${WRITERS} concurrent writers lose no acknowledged write`, async (t) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'collections-crash-'));
    const env = { DATA_DIR: dataDir, DATABASE_URL: testDatabaseUrl(dataDir), BOOTSTRAP_KEY_FILE: path.join(dataDir, 'bootstrap-key') };
    const histories: History[] = [];
    let node: ServiceProcess | undefined;
    let checked = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        node = await startServiceProcess(env);
        const api = new Api(node.url, readFileSync(env.BOOTSTRAP_KEY_FILE, 'utf8').trim());
        const stop = { killed: false };
        const before = acknowledgedCreates(histories);
        const writers = Array.from({ length: WRITERS }, (_, worker) => writer(api, round * 100 + worker, histories, stop));
        // Kill at a random moment once this round has some acknowledged writes, however slow the machine.
        for (let waited = 0; acknowledgedCreates(histories) - before < 2 * WRITERS && waited < 20000; waited += 20) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
        node.process.kill('SIGKILL');
        stop.killed = true;
        await node.exited;
        await Promise.all(writers);
      }

      node = await startServiceProcess(env);
      const api = new Api(node.url, readFileSync(env.BOOTSTRAP_KEY_FILE, 'utf8').trim());
      const stored = new Map<string, any>();
      for (let offset = 0; ; offset += 10000) {
        const page = await api.get(RR, { limit: '10000', offset: String(offset), mask: 'id,priority,fromnumber,tonumber,ext' });
        for (const entity of page.body) stored.set(entity.id, entity);
        if (page.body.length < 10000) break;
      }

      for (const entity of histories) {
        const found = stored.get(entity.id);
        if (found) {
          // Whatever is there is whole: the create's fields, and every PATCH's three fields together.
          assert.equal(found.priority, entity.priority, `${entity.id}: priority`);
          assert.equal(found.fromnumber, found.tonumber, `${entity.id}: fromnumber and tonumber written together`);
          assert.equal(found.ext.mark, Number(found.fromnumber), `${entity.id}: ext.mark written with them`);
          assert.ok(Number(found.fromnumber) >= entity.acknowledgedPatch, `${entity.id}: acknowledged PATCH ${entity.acknowledgedPatch} kept`);
          assert.ok(Number(found.fromnumber) <= entity.sentPatch, `${entity.id}: nothing that was never sent`);
          assert.notEqual(entity.deleted, 'acknowledged', `${entity.id}: an acknowledged DELETE stays deleted`);
        } else {
          assert.notEqual(entity.created === 'acknowledged' && entity.deleted === undefined, true, `${entity.id}: acknowledged create is present`);
        }
        checked++;
      }
      const acknowledged = acknowledgedCreates(histories);
      assert.ok(acknowledged >= 2 * ROUNDS * WRITERS, `enough writes were acknowledged to mean something (${acknowledged})`);
      t.diagnostic(`${histories.length} entities written over ${ROUNDS} kills, ${acknowledged} creates acknowledged, ${checked} checked`);
    } finally {
      node?.process.kill('SIGKILL');
      await dropTestStore(env.DATABASE_URL);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
