// Every kind of error the application answers, through the real server, with
// its exact status, body and headers: the error catalogue and its HTTP
// mapping may move, what a client reads may not.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { addKey, Api, IP, onPostgres, RawBody, RR, useService, type Reply } from './support/service.js';

const NO_ID = '00000000-0000-0000-0000-000000000000';

function assertErrorReply(reply: Reply, status: number, body: object, headers: Record<string, string> = {}): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.deepEqual(reply.body, body);
  for (const [name, value] of Object.entries(headers)) assert.equal(reply.headers.get(name), value, name);
}

describe('error responses', () => {
  const service = useService({ bodyLimit: 4096 });
  const { api } = service;
  let rule: any;
  let reader: Api;

  before(async () => {
    rule = await api.create(RR, { priority: 20 });
    reader = new Api(service.current.url, await addKey(service.current, 'default', 'read-only'));
  });

  const invalid = (field: string, message: string) => ({
    error_code: 1400,
    error_message: `Invalid request: ${field}: ${message}`,
    error_details: [{ field, message }],
  });

  test('400 invalid input: one field names it in the message and the details', async () => {
    assertErrorReply(await api.post(RR, { priority: '5' }), 400, invalid('priority', 'must be integer'));
  });

  test('400 invalid input: several fields are counted and all listed', async () => {
    assertErrorReply(await api.post(RR, { priority: '5', dir: 'sideways' }), 400, {
      error_code: 1400,
      error_message: 'Invalid request: 2 invalid fields',
      error_details: [
        { field: 'priority', message: 'must be integer' },
        { field: 'dir', message: 'must be one of "", "*", "incoming", "outgoing", "inner", "crossdomain"' },
      ],
    });
  });

  test('400 invalid input: a server-set field, an immutable field, a query parameter, a filter', async () => {
    assertErrorReply(await api.post(IP, { type: 'x', token_local: 'a'.repeat(32) }), 400, invalid('token_local', 'is set by the server'));
    assertErrorReply(await api.patch(`${RR}/${rule.id}`, { id: NO_ID }), 400, invalid('id', 'may not be changed'));
    assertErrorReply(await api.get(RR, { limt: '5' }), 400, invalid('limt', 'unknown parameter; expected one of filter, mask, offset, limit, order, flat'));
    assertErrorReply(await api.request('DELETE', `${RR}/${rule.id}?mask=id`), 400, invalid('mask', 'unknown parameter; this operation takes none'));
    assertErrorReply(await api.get(RR, { filter: '{"colour":"red"}' }), 400, invalid('filter.colour', 'unknown or not filterable field'));
    assertErrorReply(await api.get('/rest/v1/events', { collection: 'x' }), 400, invalid('collection', 'must be one of integration_points, recordrules, storagerules, workdays, calendar'));
    assertErrorReply(await api.lookup(RR, 5), 400, invalid('body', 'must be a JSON string: the key to look up'));
    assertErrorReply(await api.post(RR, { priority: 1, schedule: 'a\u0000b' }), 400, invalid('schedule', 'must not contain NUL (\\u0000) characters'));
  });

  test('400 malformed request: empty body, not JSON, prototype poisoning, NUL in the URL', async () => {
    const malformed = (message: string) => ({ error_code: 1400, error_message: message });
    assertErrorReply(await api.post(RR, new RawBody(''), { 'content-type': 'application/json' }), 400, malformed('Request body is empty; expected JSON'));
    assertErrorReply(await api.post(RR, new RawBody('{"priority": 1,')), 400, malformed('Request body is not valid JSON'));
    const poisoned = malformed('Request body may not hold a "__proto__" key, nor a "constructor" object with a "prototype" key');
    assertErrorReply(await api.post(RR, new RawBody('{"priority":1,"__proto__":{"polluted":true}}')), 400, poisoned);
    assertErrorReply(await api.post(RR, new RawBody('{"priority":1,"constructor":{"prototype":{}}}')), 400, poisoned);
    assertErrorReply(await api.get(`${RR}/%00`), 400, malformed('NUL characters (%00) are not allowed in the URL'));
  });

  test('400 malformed request: a URL that is not valid percent-encoding, refused by the router itself', async () => {
    const malformed = { error_code: 1400, error_message: 'Malformed percent-encoding in the URL' };
    assertErrorReply(await api.get(`${RR}/%zz`), 400, malformed);
    assertErrorReply(await api.get(`${RR}%E0%A4%A`), 400, malformed);
  });

  test('401 without a valid key, with a Bearer challenge', async () => {
    assertErrorReply(await api.request('GET', RR, undefined, { authorization: '' }), 401, { error_code: 1401, error_message: 'A valid API key is required: Authorization: Bearer <key>' }, { 'www-authenticate': 'Bearer' });
  });

  test('403 for a write with a read-only key', async () => {
    assertErrorReply(await reader.post(RR, { priority: 1 }), 403, { error_code: 1403, error_message: 'This API key is read-only' });
  });

  test('404 for an unknown entity, path, lookup key and token', async () => {
    assertErrorReply(await api.get(`${RR}/${NO_ID}`), 404, { error_code: 1404, error_message: 'recordrule not found' });
    assertErrorReply(await api.delete(`${IP}/${NO_ID}`), 404, { error_code: 1404, error_message: 'integration_point not found' });
    assertErrorReply(await api.get('/rest/v1/uc/nothing'), 404, { error_code: 1404, error_message: 'Not found' });
    assertErrorReply(await api.lookup(RR, NO_ID), 404, { error_code: 1404, error_message: 'Lookup failed' });
    assertErrorReply(await api.get(`/rest/v1/service/integration_tokens/${'0'.repeat(32)}`), 404, { error_code: 1404, error_message: 'Token not found' });
    // Longer than any id or token, as the router would otherwise refuse them itself.
    assertErrorReply(await api.get(`${RR}/${'a'.repeat(150)}`), 404, { error_code: 1404, error_message: 'recordrule not found' });
    assertErrorReply(await api.get(`/rest/v1/service/integration_tokens/${'a'.repeat(150)}`), 404, { error_code: 1404, error_message: 'Token not found' });
  });

  test('405 for a wrong verb, with Allow', async () => {
    assertErrorReply(await api.request('PUT', RR, { priority: 1 }), 405, { error_code: 1405, error_message: 'Method PUT not allowed' }, { allow: 'GET, HEAD, POST, LOOKUP, QUERY' });
    assertErrorReply(await api.request('POST', `${RR}/${rule.id}`, { priority: 1 }), 405, { error_code: 1405, error_message: 'Method POST not allowed' }, { allow: 'GET, HEAD, PATCH, DELETE' });
  });

  test('409 for a duplicate id, naming the field', async () => {
    assertErrorReply(await api.post(RR, { id: rule.id, priority: 1 }), 409, {
      error_code: 1409,
      error_message: 'recordrule with this id already exists',
      error_details: [{ field: 'id', message: 'already exists' }],
    });
  });

  test('413 for a body over the limit, naming the limit', async () => {
    assertErrorReply(await api.post(RR, { priority: 1, opts: { title: 'x'.repeat(5000) } }), 413, { error_code: 1413, error_message: 'Request body exceeds 4096 bytes' });
  });

  test('415 for a body that is not application/json', async () => {
    assertErrorReply(await api.post(RR, new RawBody('{"priority":1}'), { 'content-type': 'text/plain' }), 415, { error_code: 1415, error_message: 'Content-Type must be application/json' });
  });

  test('415 for a body in a content coding, naming it and the coding accepted; nothing is stored', async () => {
    const before = (await api.get(RR, { limit: '10000', mask: 'id' })).body.length;
    for (const coding of ['gzip', 'deflate, gzip', 'br']) {
      const reply = await api.post(RR, { priority: 1 }, { 'content-encoding': coding });
      assertErrorReply(reply, 415, { error_code: 1415, error_message: `Content-Encoding ${JSON.stringify(coding)} is not supported: send the body uncoded` });
      assert.equal(reply.headers.get('accept-encoding'), 'identity');
    }
    assert.equal((await api.post('/rest/v1/uc/recording_decisions', { to: { number: '1', domain: 'default' } }, { 'content-encoding': 'gzip' })).status, 415);
    assert.equal((await api.get(RR, { limit: '10000', mask: 'id' })).body.length, before);
    // identity is no coding at all.
    assert.equal((await api.post(RR, { priority: 1 }, { 'content-encoding': 'identity' })).status, 200);
  });
});

describe('error responses: an unexpected store failure', () => {
  const service = useService();
  const { api } = service;

  /** Removes the recordrules table behind the running service's back. */
  async function dropTable(): Promise<void> {
    const { databaseUrl } = service.current.config;
    if (onPostgres) {
      const url = new URL(databaseUrl);
      const schema = url.searchParams.get('schema');
      url.searchParams.delete('schema');
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        await client.query(`DROP TABLE "${schema}".recordrules`);
      } finally {
        await client.end();
      }
    } else {
      const db = new DatabaseSync(path.join(service.current.dataDir, 'app.db'));
      try {
        db.exec('DROP TABLE recordrules');
      } finally {
        db.close();
      }
    }
  }

  test('500 with the generic message, never the cause', async () => {
    await api.create(RR, { priority: 1 });
    await dropTable();
    assertErrorReply(await api.get(RR), 500, { error_code: 1500, error_message: 'Internal server error' });
    assert.equal((await api.get(IP)).status, 200, 'the other collection still answers');
  });
});
