// Filters have a cost budget: what one row may cost is bounded (like
// patterns by the longest value of their field, ext terms by the largest
// ext), queries over it are refused, and the worst query allowed does not
// hold up the service: /healthz answers promptly while it runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RR, useService } from './support/service.js';

const COMMENT = 4096;
const BUDGET = 1 << 19;
const like = (path: string, pattern: string) => ['like', ['property', path], pattern];
const filter = (expression: unknown) => ({ filter: JSON.stringify(expression) });

describe('query budget', () => {
  const service = useService();
  const { api } = service;

  test('a like pattern costs (longest value of the field) x (pattern length); over the budget is a 400', async () => {
    const atBudget = BUDGET / COMMENT; // 128 characters on opts.comment
    assert.equal((await api.get(RR, filter(like('opts.comment', `*${'x'.repeat(atBudget - 2)}*`)))).status, 200);
    const over = await api.get(RR, filter(like('opts.comment', `*${'x'.repeat(atBudget - 1)}*`)));
    assert.equal(over.status, 400);
    assert.equal(over.body.error_details[0].field, 'filter');
    assert.match(over.body.error_details[0].message, /more than the 524288 allowed/);
    // Fields with short values allow long patterns, up to the pattern limit.
    assert.equal((await api.get(RR, filter(like('fromnumber', `*${'7'.repeat(254)}*`)))).status, 200);
    const long = await api.get(RR, filter(like('fromnumber', '7'.repeat(257))));
    assert.equal(long.status, 400);
    assert.deepEqual(long.body.error_details, [{ field: 'filter.fromnumber', message: '"like" patterns are at most 256 characters' }]);
    // Several likes add up.
    const many = ['or', ...Array.from({ length: 5 }, () => like('opts.comment', `*${'x'.repeat(30)}*`))];
    assert.equal((await api.get(RR, filter(many))).status, 400);
  });

  test('every ext term parses the row\'s ext: a filter or order may hold only so many', async () => {
    const terms = (count: number) => ['and', ...Array.from({ length: count }, (_, i) => ['==', ['property', `ext.k${i}`], 1])];
    assert.equal((await api.get(RR, filter(terms(15)))).status, 200);
    assert.equal((await api.get(RR, filter(terms(16)))).status, 400);
    const order = JSON.stringify(Array.from({ length: 16 }, (_, i) => `ext.k${i}`));
    const reply = await api.get(RR, { order });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error_details[0].field, 'order');
  });

  test('/healthz answers promptly while the worst allowed query runs over a large domain', { timeout: 120_000 }, async () => {
    // Values at their longest, shaped so that the pattern below almost matches at every position.
    const comment = 'x'.repeat(COMMENT);
    const rows = 3000;
    for (let done = 0; done < rows; done += 20) {
      await Promise.all(Array.from({ length: 20 }, () => api.create(RR, { priority: 1, opts: { comment } })));
    }
    const worst = filter(like('opts.comment', `*${'x'.repeat(BUDGET / COMMENT - 2)}y`));
    let finished = false;
    const started = Date.now();
    const query = api.get(RR, { ...worst, limit: '1' }).finally(() => (finished = true));
    let slowest = 0;
    let probes = 0;
    while (!finished) {
      const sent = Date.now();
      const health = await api.get('/healthz');
      assert.equal(health.status, 200);
      slowest = Math.max(slowest, Date.now() - sent);
      probes++;
    }
    const reply = await query;
    // SQLite stops the query at its deadline; PostgreSQL runs it off the event loop.
    assert.ok(reply.status === 200 || (reply.status === 503 && reply.body.error_code === 1503), `${reply.status} ${reply.text}`);
    if (reply.status === 200) assert.deepEqual(reply.body, []);
    assert.ok(slowest < 1000, `/healthz took ${slowest} ms while the query ran ${Date.now() - started} ms (${probes} probes)`);
  });
});
