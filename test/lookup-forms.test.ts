// LOOKUP through the forms gateways and generated clients can send: the
// method override, the AIP-136 custom method and QUERY, each answering
// exactly as LOOKUP does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { EXTENSION_METHOD_HEADER } from '../src/edge/methods.js';
import { errorResponse } from '../src/http/errors.js';
import { extensionMethodConstraint } from '../src/http/extension-method-routing.js';
import { registerQuery } from '../src/http/lookup-forms.js';
import { addKey, bearer, IP, RawBody, RR, useService, type Reply } from './support/service.js';

type Form = { name: string; send: (path: string, body: unknown, headers?: Record<string, string>) => Promise<Reply> };

describe('LOOKUP forms', () => {
  const service = useService();
  const { api } = service;
  const forms: Form[] = [
    { name: 'LOOKUP', send: (path, body, headers) => api.request('LOOKUP', path, body, headers) },
    { name: 'POST with X-HTTP-Method-Override', send: (path, body, headers) => api.request('POST', path, body, { 'x-http-method-override': 'LOOKUP', ...headers }) },
    { name: 'POST :lookup', send: (path, body, headers) => api.request('POST', `${path}:lookup`, body, headers) },
    { name: 'QUERY', send: (path, body, headers) => api.request('QUERY', path, body, headers) },
  ];

  /** Sends one request through every form; all must answer what LOOKUP answers. */
  async function sameEverywhere(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    const [lookup, ...others] = await Promise.all(forms.map((form) => form.send(path, body, headers)));
    others.forEach((reply, i) => assert.deepEqual([reply.status, reply.body], [lookup.status, lookup.body], `${forms[i + 1].name} answers as LOOKUP does`));
    return lookup;
  }

  test('found keys, unknown keys and malformed bodies answer the same in every form, on both collections', async () => {
    const point = await api.create(IP, { type: 'public', code: 'SHARED' });
    const twin = await api.create(IP, { type: 'public', code: 'SHARED' });
    const rule = await api.create(RR, { priority: 3 });

    assert.deepEqual((await sameEverywhere(IP, 'SHARED')).body, [point.id, twin.id]);
    assert.deepEqual((await sameEverywhere(IP, point.token_local)).body, [point.id]);
    assert.deepEqual((await sameEverywhere(RR, rule.id.toUpperCase())).body, [rule.id]);
    for (const path of [IP, RR]) {
      assert.deepEqual((await sameEverywhere(path, 'no such key')).body, { error_code: 1404, error_message: 'Lookup failed' });
      assert.equal((await sameEverywhere(path, '')).status, 404);
      assert.equal((await sameEverywhere(path, { key: rule.id })).status, 400);
      assert.equal((await sameEverywhere(path, new RawBody('"unterminated'))).status, 400);
      assert.deepEqual((await sameEverywhere(path, new RawBody(''))).body, { error_code: 1400, error_message: 'Request body is empty; expected JSON' });
      assert.equal((await sameEverywhere(path, new RawBody(`"${rule.id}"`), { 'content-type': 'text/plain' })).status, 415);
      assert.equal((await sameEverywhere(`${path}?limit=1`, rule.id)).status, 400);
      assert.equal((await sameEverywhere(path, rule.id, { authorization: 'Bearer wrong' })).status, 401);
    }
  });

  test('a read-only key may use every form; it still may not create', async () => {
    const rule = await api.create(RR, { priority: 4 });
    const readOnly = bearer(await addKey(service.current, 'default', 'read-only'));
    assert.deepEqual((await sameEverywhere(RR, rule.id, readOnly)).body, [rule.id]);
    assert.equal((await api.request('POST', RR, { priority: 5 }, readOnly)).status, 403);
  });

  test('another domain cannot look up through any form', async () => {
    const rule = await api.create(RR, { priority: 6 });
    const other = bearer(await addKey(service.current, 'other-domain'));
    assert.equal((await sameEverywhere(RR, rule.id, other)).status, 404);
  });

  test('the override is accepted only on POST and only to LOOKUP', async () => {
    const rule = await api.create(RR, { priority: 7 });
    for (const [method, value] of [
      ['POST', 'DELETE'],
      ['POST', 'GET'],
      ['POST', 'lookup'],
      ['POST', 'LOOKUP, LOOKUP'],
      ['GET', 'LOOKUP'],
      ['PATCH', 'LOOKUP'],
      ['DELETE', 'LOOKUP'],
    ] as const) {
      const path = method === 'POST' || method === 'GET' ? RR : `${RR}/${rule.id}`;
      const reply = await api.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : rule.id, { 'x-http-method-override': value });
      assert.equal(reply.status, 400, `${method} overridden to ${value}`);
      assert.equal(reply.body.error_details[0].field, 'X-HTTP-Method-Override');
    }
    // Refused before anything is read or written: the entity is as it was.
    assert.deepEqual((await api.get(`${RR}/${rule.id}`)).body, rule);
    // Overridden to LOOKUP where LOOKUP is not served, the answer is LOOKUP's: 405.
    const item = await api.request('POST', `${RR}/${rule.id}`, rule.id, { 'x-http-method-override': 'LOOKUP' });
    assert.equal(item.status, 405);
    assert.equal(item.body.error_message, 'Method LOOKUP not allowed');
  });

  test('a plain POST still creates, and the custom-method path takes POST only', async () => {
    const created = await api.post(RR, { priority: 8 });
    assert.equal(created.status, 200);
    assert.equal(created.body.priority, 8);
    const get = await api.get(`${RR}:lookup`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });

  test('QUERY without Content-Type is refused, as RFC 10008 requires', async () => {
    const reply = await api.request('QUERY', RR);
    assert.equal(reply.status, 415);
    assert.equal(reply.body.error_code, 1415);
  });

  test('where the parser does not know QUERY, the carried form reaches the same handler', async () => {
    // What the front layer hands over on such a Node: the carrier method with the real one in the marker header.
    const app = Fastify({ routerOptions: { constraints: { [extensionMethodConstraint.name]: extensionMethodConstraint } as never } });
    // Errors become responses as in the service: through the one mapping of the catalogue.
    app.setErrorHandler((err, _request, reply) => {
      const { status, headers, body } = errorResponse(err, 1024);
      void reply.code(status).headers(headers).send(body);
    });
    registerQuery(app, '/things', async (request) => ({ key: request.body }), []);
    const headers = { 'content-type': 'application/json', [EXTENSION_METHOD_HEADER]: 'QUERY' };
    const carried = await app.inject({ method: 'POST', url: '/things', headers, payload: '"k"' });
    assert.deepEqual([carried.statusCode, carried.json()], [200, { key: 'k' }]);
    const untyped = await app.inject({ method: 'POST', url: '/things', headers: { [EXTENSION_METHOD_HEADER]: 'QUERY' } });
    assert.equal(untyped.statusCode, 415);
    const plain = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '"k"' });
    assert.equal(plain.statusCode, 404, 'a plain POST is not taken for QUERY');
    await app.close();
  });
});
