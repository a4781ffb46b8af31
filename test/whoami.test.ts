// GET /rest/v1/whoami: every key learns its own domain and role, and nothing else.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addKey, Api, useService } from './support/service.js';

describe('whoami', () => {
  const service = useService();

  test('each role gets its domain and role; a decider key too, which may ask nothing else', async () => {
    for (const role of ['read-write', 'read-only', 'decider'] as const) {
      const key = await addKey(service.current, 'acme', role);
      const api = new Api(service.current.url, key);
      const reply = await api.get('/rest/v1/whoami');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { domain: 'acme', role });
      assert.equal((await api.request('HEAD', '/rest/v1/whoami')).status, 200);
    }
    const decider = new Api(service.current.url, await addKey(service.current, 'acme', 'decider'));
    assert.equal((await decider.get('/rest/v1/domain/storagerules')).status, 403);
  });

  test('no key or an unknown one is a 401; parameters and other methods are refused', async () => {
    const anonymous = new Api(service.current.url);
    assert.equal((await anonymous.get('/rest/v1/whoami')).status, 401);
    assert.equal((await new Api(service.current.url, 'nope').get('/rest/v1/whoami')).status, 401);
    const api = new Api(service.current.url, service.current.key);
    const withParameter = await api.get('/rest/v1/whoami', { domain: 'other' });
    assert.equal(withParameter.status, 400);
    assert.equal(withParameter.body.error_details[0].field, 'domain');
    const post = await api.post('/rest/v1/whoami', {});
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });
});
