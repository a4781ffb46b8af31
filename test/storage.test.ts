// The embedded store: a file under the data directory, typed schema with
// indexes, data kept across restarts, filters answered from indexes.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { loadCollections } from '../src/collections/registry.js';
import { parseListQuery } from '../src/query/params.js';
import { sqliteDialect } from '../src/store/sqlite.js';
import { listStatement, lookupStatement } from '../src/store/sql.js';
import { Api, IP, onPostgres, RR, startTestService } from './support/service.js';

describe('embedded store', { skip: onPostgres && 'runs on the embedded store only' }, () => {
  test('data survives a restart on the same data directory', async () => {
    const first = await startTestService();
    const api = new Api(first.url, first.key);
    const point = await api.create(IP, { type: 'public', code: 'PERSIST', ext: { k: 'v' } });
    const rule = await api.create(RR, { priority: 7, periods: [{ days: [1], from: '09:00', to: '10:00' }] });
    await first.stop();
    assert.ok(existsSync(path.join(first.dataDir, 'app.db')), 'the database is a file under DATA_DIR');

    const second = await startTestService({}, first.dataDir);
    try {
      const again = new Api(second.url, first.key);
      assert.deepEqual((await again.get(`${IP}/${point.id}`)).body, point);
      assert.deepEqual((await again.get(`${RR}/${rule.id}`)).body, rule);
      assert.deepEqual((await again.lookup(IP, point.token_local)).body, [point.id]);
    } finally {
      await second.stop();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });

  test('typed columns, unique keys and indexes are created on start; the journal is WAL', async () => {
    const service = await startTestService();
    await service.stop();
    const db = new DatabaseSync(path.join(service.dataDir, 'app.db'), { readOnly: true });
    try {
      assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
      const columns = db.prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info('recordrules')`).all() as any[];
      const byName = Object.fromEntries(columns.map((column) => [column.name, column]));
      assert.equal(byName.priority.type, 'INTEGER');
      assert.equal(byName.dir.type, 'TEXT');
      assert.equal(byName.opts_title.type, 'TEXT');
      // Primary key (domain, id): an id is unique within its domain only.
      assert.equal(byName.domain.pk, 1);
      assert.equal(byName.id.pk, 2);
      const strict = db.prepare(`SELECT strict FROM pragma_table_list WHERE name = 'recordrules'`).get() as any;
      assert.equal(strict.strict, 1);
      const indexes = (db.prepare(`SELECT name FROM pragma_index_list('integration_points')`).all() as any[]).map((row) => row.name);
      assert.ok(indexes.some((name) => name.includes('code')));
      assert.ok(indexes.some((name) => name.startsWith('sqlite_autoindex')), 'token_local is unique');
    } finally {
      db.close();
      rmSync(service.dataDir, { recursive: true, force: true });
    }
  });

  test('filters, orders and lookups are answered from indexes, not table scans', async () => {
    const service = await startTestService();
    await service.stop();
    const models = await loadCollections();
    const rr = models.find((model) => model.name === 'recordrules')!;
    const ip = models.find((model) => model.name === 'integration_points')!;
    const db = new DatabaseSync(path.join(service.dataDir, 'app.db'), { readOnly: true });
    const plan = ({ sql, values }: { sql: string; values: unknown[] }) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(values as SQLInputValue[])) as any[]).map((row) => row.detail).join(' | ');
    try {
      const byDir = plan(listStatement(rr, 'default', parseListQuery(rr, { filter: '{"dir":"incoming"}', order: '["priority"]' }), sqliteDialect));
      // The declared composite index answers filter and order together: no sort of every match.
      assert.match(byDir, /USING INDEX recordrules_dir_priority_idx/);
      assert.doesNotMatch(byDir, /TEMP B-TREE/);
      const byDefaultOrder = plan(listStatement(rr, 'default', parseListQuery(rr, {}), sqliteDialect));
      assert.match(byDefaultOrder, /USING INDEX recordrules_ext_ct_idx/);
      const lookup = plan(lookupStatement(ip, 'default', 'abc', sqliteDialect));
      for (const key of ['id=?', 'code=?', 'token_local=?']) assert.ok(lookup.includes(`${key})`), `${key} is an index search: ${lookup}`);
      assert.doesNotMatch(lookup, /SCAN integration_points/);
    } finally {
      db.close();
      rmSync(service.dataDir, { recursive: true, force: true });
    }
  });
});
