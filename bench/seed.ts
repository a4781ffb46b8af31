/**
 * A data directory with `scale` recordrules and `scale` integration points,
 * written through the service's own schema and row derivation, plus the API
 * key the service will accept.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createApiKey, createDomain, BOOTSTRAP_DOMAIN } from '../src/auth/api-keys.js';
import { loadCollections } from '../src/collections/registry.js';
import { newRow, timestamp, type Row } from '../src/entity/rows.js';
import { openStore } from '../src/store/open.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { decisionRules } from './decision-data.js';

const DIRS = ['', '*', 'incoming', 'outgoing', 'inner', 'crossdomain'];
const BATCH = 10_000;
// Ids and tokens the load generator draws from.
const SAMPLE = 10_000;

export interface Seeded {
  key: string;
  ruleIds: string[];
  tokens: string[];
  /** The first rules as json-server records. */
  jsonServerRules: Record<string, unknown>[];
}

/** Rows in one transaction on SQLite; on PostgreSQL, in parallel over the pool. */
async function insertAll(store: Store, model: Parameters<Store['insert']>[0], domain: string, rows: Row[]): Promise<void> {
  if (store instanceof SqliteStore) return store.insertMany(model, domain, rows);
  for (let start = 0; start < rows.length; start += 200) await Promise.all(rows.slice(start, start + 200).map((row) => store.insert(model, domain, row)));
}

/** Seeds the embedded store in `dataDir`, or the database `databaseUrl` names. */
export async function seed(dataDir: string, scale: number, databaseUrl?: string): Promise<Seeded> {
  mkdirSync(dataDir, { recursive: true });
  const store = databaseUrl ? openStore(databaseUrl) : new SqliteStore(path.join(dataDir, 'app.db'));
  const models = await loadCollections();
  const rules = models.find((model) => model.name === 'recordrules')!;
  const points = models.find((model) => model.name === 'integration_points')!;
  await store.prepare(models);
  await createDomain(store, BOOTSTRAP_DOMAIN);
  const key = await createApiKey(store, BOOTSTRAP_DOMAIN, 'read-write', 'bench');
  writeFileSync(path.join(dataDir, 'bootstrap-key'), key, { mode: 0o600 });

  const every = Math.max(1, Math.floor(scale / SAMPLE));
  const seeded: Seeded = { key, ruleIds: [], tokens: [], jsonServerRules: [] };
  const now = timestamp();
  for (let start = 0; start < scale; start += BATCH) {
    const ruleRows: Row[] = [];
    const pointRows: Row[] = [];
    for (let i = start; i < Math.min(scale, start + BATCH); i++) {
      const rule = newRow(rules, { priority: i % 1000, dir: DIRS[i % DIRS.length], fromnumber: String(i), opts: { title: `rule ${i}` } }, now);
      const point = newRow(points, { type: 'public', code: `code-${i}`, url: `https://hooks.example/${i}` }, now);
      ruleRows.push(rule);
      pointRows.push(point);
      if (i % every === 0) {
        seeded.ruleIds.push(rule.id as string);
        seeded.tokens.push(point.token_local as string);
      }
      if (seeded.jsonServerRules.length < Math.min(scale, SAMPLE)) {
        seeded.jsonServerRules.push({ id: rule.id, priority: rule.priority, dir: rule.dir, fromnumber: rule.fromnumber, opts: { title: rule.opts_title } });
      }
    }
    await insertAll(store, rules, BOOTSTRAP_DOMAIN, ruleRows);
    await insertAll(store, points, BOOTSTRAP_DOMAIN, pointRows);
  }
  await store.close();
  return seeded;
}

/**
 * A data directory with `scale` recordrules of the realistic decision mix
 * (bench/decision-data.ts) and their storagerules in the bootstrap domain,
 * plus the API key the service will accept.
 */
export async function seedDecisions(dataDir: string, scale: number): Promise<{ key: string }> {
  mkdirSync(dataDir, { recursive: true });
  const store = new SqliteStore(path.join(dataDir, 'app.db'));
  const models = await loadCollections();
  const rules = models.find((model) => model.name === 'recordrules')!;
  const storage = models.find((model) => model.name === 'storagerules')!;
  await store.prepare(models);
  await createDomain(store, BOOTSTRAP_DOMAIN);
  const key = await createApiKey(store, BOOTSTRAP_DOMAIN, 'read-write', 'bench');
  writeFileSync(path.join(dataDir, 'bootstrap-key'), key, { mode: 0o600 });
  const data = decisionRules(rules, storage, scale);
  await store.insertMany(storage, BOOTSTRAP_DOMAIN, data.storagerules);
  for (let start = 0; start < data.rules.length; start += BATCH) await store.insertMany(rules, BOOTSTRAP_DOMAIN, data.rules.slice(start, start + BATCH));
  await store.close();
  return { key };
}
