// /metrics in the Prometheus text format: requests by route, method and
// status with latency, store latency, and entity counts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IP, RR, useService } from './support/service.js';

/** The value of one sample line, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((pair) => labelText.split(',').includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics', () => {
  const { api } = useService();

  test('counts requests by route pattern, real method and status, with latency histograms', async () => {
    const rule = await api.create(RR, { priority: 1 });
    await api.create(RR, { priority: 2 });
    await api.create(IP, { type: 'public' });
    await api.lookup(RR, rule.id);
    await api.lookup(RR, 'missing');
    await api.get(`${RR}/${rule.id}`);
    await api.get('/nowhere');
    // Any method token can arrive; each must not become a label value of its own.
    for (const method of ['FROBNICATE', 'XYZZY']) assert.equal((await api.request(method, RR)).status, 405);

    const reply = await api.request('GET', '/metrics', undefined, { authorization: '' });
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^text\/plain/);
    const text = reply.text;
    assert.equal(sample(text, 'http_requests_total', { method: 'POST', route: RR, status: '200' }), 2);
    assert.equal(sample(text, 'http_requests_total', { method: 'LOOKUP', route: RR, status: '200' }), 1);
    assert.equal(sample(text, 'http_requests_total', { method: 'LOOKUP', route: RR, status: '404' }), 1);
    assert.equal(sample(text, 'http_requests_total', { method: 'GET', route: `${RR}/:id`, status: '200' }), 1);
    assert.equal(sample(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }), 1);
    assert.ok(!text.includes(rule.id), 'ids never become label values');
    assert.equal(sample(text, 'http_requests_total', { method: 'other', route: 'unmatched', status: '405' }), 2);
    assert.ok(!text.includes('FROBNICATE'), 'unknown methods are counted as "other"');
    assert.equal(sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: RR, status: '200' }), 2);
    assert.equal(sample(text, 'http_request_duration_seconds_bucket', { method: 'POST', route: RR, status: '200', le: '+Inf' }), 2);
    assert.equal(sample(text, 'store_operation_duration_seconds_count', { operation: 'insert', collection: 'recordrules' }), 2);
    assert.equal(sample(text, 'store_operation_duration_seconds_count', { operation: 'lookup', collection: 'recordrules' }), 2);
    assert.equal(sample(text, 'collection_entities', { collection: 'recordrules' }), 2);
    assert.equal(sample(text, 'collection_entities', { collection: 'integration_points' }), 1);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });
});
