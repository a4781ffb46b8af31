// One list reads a bounded amount of row data: only the columns its mask
// shows, and at most MAX_LIST_CHARS characters of them, stopping with a
// 400 naming `limit` once past it. Lists of many small rows are unaffected,
// /healthz answers while the largest allowed list runs, and memory stays
// bounded however many of the largest rows a domain holds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCollections } from '../src/collections/registry.js';
import { listNeedsCounting, MAX_LIST_CHARS } from '../src/query/list-budget.js';
import { parseListQuery } from '../src/query/params.js';
import { IP, RR, useService } from './support/service.js';

/** An integration point with every stored value at its longest: about 48 KB. */
function largest(serial: number) {
  const ext = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${String(i).padStart(2, '0')}${'k'.repeat(61)}`, `${serial}`.padEnd(1020, 'v')]));
  return {
    type: 'public',
    url: `https://example.test/${'u'.repeat(2020)}`,
    token_remote: 't'.repeat(1024),
    token_remote2: 't'.repeat(1024),
    opts: { comment: 'c'.repeat(4096), title: 'T'.repeat(256) },
    ext,
  };
}

async function createMany(create: (i: number) => Promise<unknown>, count: number, parallel = 25): Promise<void> {
  for (let done = 0; done < count; done += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, count - done) }, (_, i) => create(done + i)));
  }
}

test('a list is read whole, uncounted, only where the declared lengths of what it reads bound it', async () => {
  const models = await loadCollections();
  for (const model of models) {
    const query = (raw: Record<string, string>) => parseListQuery(model, raw);
    // Every field's declared bound is finite except arrays and the client's ext keys.
    const everything = query({ limit: '10000', mask: Object.keys(model.declaration.fields).join(',') });
    assert.equal(listNeedsCounting(model, everything), true, `${model.name}: all fields`);
    assert.equal(listNeedsCounting(model, { ...everything, maxChars: Infinity }), false, `${model.name}: no bound`);
    assert.equal(listNeedsCounting(model, query({ limit: '10000', mask: 'id' })), false, `${model.name}: ids`);
  }
  const rr = models.find((model) => model.name === 'recordrules')!;
  // The default fields: about 1,500 characters a row at most.
  assert.equal(listNeedsCounting(rr, parseListQuery(rr, { limit: '100' })), false);
  assert.equal(listNeedsCounting(rr, parseListQuery(rr, { limit: '10000' })), true);
});

describe('list budget', () => {
  const service = useService();
  const { api } = service;
  const LARGE = 400; // about 19 MB in all, several times the bound

  test('a list of the largest rows past the bound is a 400 naming limit; a narrow mask reads them all', { timeout: 300_000 }, async () => {
    await createMany((i) => api.create(IP, largest(i)), LARGE);
    const all = await api.get(IP, { limit: '10000', mask: 'id,opts,ext,url,token_remote,token_remote2' });
    assert.equal(all.status, 400, all.text.slice(0, 200));
    assert.equal(all.body.error_code, 1400);
    assert.equal(all.body.error_details[0].field, 'limit');
    assert.match(all.body.error_details[0].message, new RegExp(`more than ${MAX_LIST_CHARS} characters`));

    // JSON-valued columns count their stored text: ext alone (about 32 KB a row) passes the bound.
    const exts = await api.get(IP, { limit: '10000', mask: 'id,ext' });
    assert.equal(exts.status, 400, exts.text.slice(0, 200));

    // What the mask leaves out is not read: ids of every row fit easily.
    const ids = await api.get(IP, { limit: '10000', mask: 'id' });
    assert.equal(ids.status, 200);
    assert.equal(ids.body.length, LARGE);
    assert.deepEqual(Object.keys(ids.body[0]), ['id']);
    // An ext key alone needs the ext column, and gets it.
    const oneKey = await api.get(IP, { limit: '10', mask: `id,ext.k00${'k'.repeat(61)}` });
    assert.equal(oneKey.status, 200);
    assert.equal(oneKey.body.length, 10);
    assert.equal(Object.keys(oneKey.body[0].ext).length, 1);

    // A page within the bound is served whole.
    const page = await api.get(IP, { limit: '50', mask: 'id,opts,ext,url,token_remote,token_remote2' });
    assert.equal(page.status, 200);
    assert.equal(page.body.length, 50);
    assert.equal(page.body[0].opts.comment.length, 4096);
  });

  test('/healthz answers while the largest allowed lists run, and memory stays bounded', { timeout: 300_000 }, async () => {
    const rssBefore = process.memoryUsage().rss;
    // Several at once, each reading up to the bound (full rows over the 400 rows above).
    let finished = 0;
    const lists = Array.from({ length: 8 }, () => api.get(IP, { limit: '10000', mask: 'id,opts,ext,url,token_remote,token_remote2' }).finally(() => finished++));
    let probes = 0;
    let slowest = 0;
    while (finished < lists.length) {
      const sent = Date.now();
      assert.equal((await api.get('/healthz')).status, 200);
      slowest = Math.max(slowest, Date.now() - sent);
      probes++;
    }
    for (const reply of await Promise.all(lists)) assert.equal(reply.status, 400);
    const grown = process.memoryUsage().rss - rssBefore;
    // Generous bounds: without the budget each of these lists read all 19 MB and took seconds.
    assert.ok(slowest < 2000, `/healthz took ${slowest} ms (${probes} probes)`);
    assert.ok(grown < 400 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MB`);
  });

  test('ordinary lists are unaffected: 10,000 small rows in one page', { timeout: 300_000 }, async () => {
    const rows = 10_000;
    await createMany((i) => api.create(RR, { priority: i % 100, fromnumber: `+4930${i}`, opts: { title: `rule ${i}` } }), rows, 50);
    const reply = await api.get(RR, { limit: '10000' });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, rows);
  });
});
