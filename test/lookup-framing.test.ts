// LOOKUP over raw HTTP/1.1: keep-alive, pipelining, chunked bodies, and
// framing that stays intact whatever the bytes say.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { before, describe, test } from 'node:test';
import { chunkedRequest as chunkedRequestOf, RawConnection, rawRequest as rawRequestOf } from './support/raw-http.js';
import { bearer, IP, RR, useService } from './support/service.js';

const run = promisify(execFile);

describe('LOOKUP from ordinary HTTP/1.1 clients', () => {
  const service = useService();
  const { api } = service;
  const rawRequest = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    rawRequestOf(method, path, body, { ...bearer(service.current.key), ...headers });
  const chunkedRequest = (method: string, path: string, chunks: string[]) => chunkedRequestOf(method, path, chunks, bearer(service.current.key));
  let point: any;
  let rule: any;

  before(async () => {
    point = await api.create(IP, { type: 'public', code: 'LOOKUP-ME' });
    rule = await api.create(RR, { priority: 10 });
  });

  test('curl -X LOOKUP with a JSON string body', async (t) => {
    const curl = await run('curl', ['--version']).catch(() => undefined);
    if (!curl) return t.skip('curl is not installed');
    const { stdout } = await run('curl', [
      '-s', '-w', '\n%{http_code}', '-X', 'LOOKUP', `${service.current.url}${IP}`,
      '-H', 'Content-Type: application/json', '-H', `Authorization: Bearer ${service.current.key}`, '--data', JSON.stringify(point.token_local),
    ]);
    const [body, status] = stdout.split('\n');
    assert.equal(status, '200');
    assert.deepEqual(JSON.parse(body), [point.id]);
  });

  test('LOOKUP as the 2nd and 3rd request on one keep-alive connection, mixed with GET and POST', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(rawRequest('GET', `${IP}/${point.id}`));
      const [first] = await connection.read(1);
      assert.equal(first.status, 200);
      connection.write(rawRequest('LOOKUP', IP, JSON.stringify(point.token_local)));
      const [second] = await connection.read(1);
      assert.equal(second.status, 200);
      assert.deepEqual(second.json, [point.id]);
      connection.write(rawRequest('LOOKUP', RR, JSON.stringify(rule.id)));
      const [third] = await connection.read(1);
      assert.deepEqual(third.json, [rule.id]);
      connection.write(rawRequest('POST', RR, JSON.stringify({ priority: 11 })));
      const [fourth] = await connection.read(1);
      assert.equal(fourth.status, 200);
      assert.equal(fourth.json.priority, 11);
      assert.equal(connection.closed, false);
    } finally {
      connection.destroy();
    }
  });

  test('pipelined requests in one write are answered in order', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(
        rawRequest('LOOKUP', IP, JSON.stringify('LOOKUP-ME')) +
          rawRequest('GET', `${RR}/${rule.id}`) +
          rawRequest('LOOKUP', IP, JSON.stringify('no-such-key')) +
          rawRequest('LOOKUP', RR, JSON.stringify(rule.id)),
      );
      const replies = await connection.read(4);
      assert.deepEqual(
        replies.map((reply) => reply.status),
        [200, 200, 404, 200],
      );
      assert.deepEqual(replies[0].json, [point.id]);
      assert.equal(replies[1].json.id, rule.id);
      assert.deepEqual(replies[2].json, { error_code: 1404, error_message: 'Lookup failed' });
      assert.deepEqual(replies[3].json, [rule.id]);
    } finally {
      connection.destroy();
    }
  });

  test('a request split across many small TCP writes', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      await connection.writeInPieces(rawRequest('LOOKUP', IP, JSON.stringify(point.token_local)) + rawRequest('LOOKUP', RR, JSON.stringify(rule.id)), 7, 1);
      const [first, second] = await connection.read(2);
      assert.deepEqual(first.json, [point.id]);
      assert.deepEqual(second.json, [rule.id]);
    } finally {
      connection.destroy();
    }
  });

  test('LOOKUP with a chunked body, then a pipelined GET', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      const token = JSON.stringify(point.token_local);
      connection.write(chunkedRequest('LOOKUP', IP, [token.slice(0, 5), token.slice(5, 20), token.slice(20)]) + rawRequest('GET', `${IP}/${point.id}`));
      const [lookup, get] = await connection.read(2);
      assert.equal(lookup.status, 200);
      assert.deepEqual(lookup.json, [point.id]);
      assert.equal(get.json.token_local, point.token_local);
    } finally {
      connection.destroy();
    }
  });

  test('"LOOKUP ..." inside a body is data, not a request', async () => {
    // A body that looks like a request line must be stored verbatim and must
    // not produce a response of its own.
    const smuggled = 'LOOKUP /rest/v1/uc/recordrules HTTP/1.1\r\nContent-Length: 2\r\n\r\n""';
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(
        chunkedRequest('POST', IP, [JSON.stringify({ type: 'public', url: smuggled }).slice(0, 10), JSON.stringify({ type: 'public', url: smuggled }).slice(10)]) +
          rawRequest('POST', IP, JSON.stringify({ type: 'x', code: smuggled })) +
          rawRequest('GET', '/healthz'),
      );
      const [chunked, sized, health] = await connection.read(3);
      assert.equal(chunked.status, 200);
      assert.equal(chunked.json.url, smuggled);
      assert.equal(sized.status, 200);
      assert.equal(sized.json.code, smuggled);
      assert.deepEqual(health.json, { status: 'ok' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(connection.unread, '', 'no extra response was produced');
    } finally {
      connection.destroy();
    }
  });

  test('a client cannot forge the internal method marker', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      // A POST claiming to be a LOOKUP must still be a create.
      connection.write(rawRequest('POST', RR, JSON.stringify({ priority: 5 }), { 'X-Extension-Method': 'LOOKUP' }));
      const [reply] = await connection.read(1);
      assert.equal(reply.status, 200);
      assert.equal(reply.json.priority, 5);
    } finally {
      connection.destroy();
    }
  });

  test('unknown methods get 405 with Allow and keep the connection usable', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(rawRequest('FROBNICATE', RR, '"x"') + rawRequest('LOOKUP', `${RR}/${rule.id}`, '"x"') + rawRequest('PUT', RR, '{}') + rawRequest('GET', '/healthz'));
      const [unknown, lookupOnItem, put, health] = await connection.read(4);
      assert.equal(unknown.status, 405);
      assert.equal(unknown.json.error_code, 1405);
      assert.equal(unknown.headers.allow, 'GET, HEAD, POST, LOOKUP, QUERY');
      assert.equal(lookupOnItem.status, 405);
      assert.equal(lookupOnItem.headers.allow, 'GET, HEAD, PATCH, DELETE');
      assert.equal(put.status, 405);
      assert.equal(health.status, 200);
    } finally {
      connection.destroy();
    }
  });
});

describe('strict heads pass through, anything else is parsed fully', () => {
  const service = useService();
  const rawRequest = (method: string, path: string, body?: string) => rawRequestOf(method, path, body, bearer(service.current.key));
  const chunkedRequest = (method: string, path: string, chunks: string[]) => chunkedRequestOf(method, path, chunks, bearer(service.current.key));

  test('a head in two packets and a body trickling in over many', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      const post = rawRequest('POST', RR, JSON.stringify({ priority: 21, opts: { title: 'trickled body' } }));
      const bodyStart = post.indexOf('\r\n\r\n') + 4;
      connection.write(post.slice(0, 20));
      await new Promise((resolve) => setTimeout(resolve, 20));
      connection.write(post.slice(20, bodyStart + 3));
      await connection.writeInPieces(post.slice(bodyStart + 3) + rawRequest('LOOKUP', RR, '"no-such-key"'), 4, 2);
      const [created, lookup] = await connection.read(2);
      assert.equal(created.status, 200);
      assert.equal(created.json.priority, 21);
      assert.equal(created.json.opts.title, 'trickled body');
      assert.equal(lookup.status, 404);
    } finally {
      connection.destroy();
    }
  });

  test('a sized body holding an empty line and a request line is data', async () => {
    // Raw CRLFs are JSON whitespace: the body has the bytes a head scanner looks for.
    const body = '{"type":"x",\r\n\r\n"code":"LOOKUP /rest/v1/uc/recordrules HTTP/1.1"}\r\n\r\n';
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(rawRequest('POST', IP, body) + rawRequest('GET', '/healthz'));
      const [created, health] = await connection.read(2);
      assert.equal(created.status, 200);
      assert.equal(created.json.code, 'LOOKUP /rest/v1/uc/recordrules HTTP/1.1');
      assert.deepEqual(health.json, { status: 'ok' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(connection.unread, '', 'no extra response was produced');
    } finally {
      connection.destroy();
    }
  });

  test('a connection keeps its order when a chunked request hands it to the full parser', async () => {
    const rule = (await service.api.create(RR, { priority: 22 })) as { id: string };
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(
        rawRequest('GET', `${RR}/${rule.id}`) +
          rawRequest('LOOKUP', RR, JSON.stringify(rule.id)) +
          chunkedRequest('LOOKUP', RR, [JSON.stringify(rule.id)]) +
          rawRequest('LOOKUP', RR, '"no-such-key"'),
      );
      const replies = await connection.read(4);
      assert.deepEqual(replies.map((reply) => reply.status), [200, 200, 200, 404]);
      assert.equal(replies[0].json.id, rule.id);
      assert.deepEqual(replies[1].json, [rule.id]);
      assert.deepEqual(replies[2].json, [rule.id]);
      connection.write(rawRequest('PATCH', `${RR}/${rule.id}`, '{"priority":23}'));
      const [patched] = await connection.read(1);
      assert.equal(patched.json.priority, 23);
    } finally {
      connection.destroy();
    }
  });

  test('field names are matched without regard to case', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      // A mixed-case marker is still the client's, and is dropped; a mixed-case length still frames the body.
      connection.write(
        `POST ${RR} HTTP/1.1\r\nhOST: x\r\nAuthorization: Bearer ${service.current.key}\r\nContent-Type: application/json\r\nx-EXTENSION-method: LOOKUP\r\n` +
          `CONTENT-length: 16\r\n\r\n{"priority": 24}` +
          rawRequest('GET', '/healthz'),
      );
      const [created, health] = await connection.read(2);
      assert.equal(created.status, 200);
      assert.equal(created.json.priority, 24);
      assert.equal(health.status, 200);
    } finally {
      connection.destroy();
    }
  });
});

describe('framing the service refuses', () => {
  const service = useService();
  const rawRequest = (method: string, path: string, body?: string) => rawRequestOf(method, path, body, bearer(service.current.key));

  async function refused(payload: string, status = 400): Promise<{ replies: number[]; body: any }> {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(payload);
      const replies = [];
      let last: any;
      for (;;) {
        const [reply] = await connection.read(1).catch(() => [undefined]);
        if (!reply) break;
        replies.push(reply.status);
        last = reply;
        if (reply.status === status) break;
      }
      await connection.waitClosed();
      return { replies, body: last?.json };
    } finally {
      connection.destroy();
    }
  }

  test('Content-Length together with Transfer-Encoding is ambiguous: 400 and close', async () => {
    const payload = 'LOOKUP /rest/v1/uc/recordrules HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    const { replies, body } = await refused(payload);
    assert.deepEqual(replies, [400]);
    assert.equal(body.error_code, 1400);
  });

  test('the refusal comes after the answers owed to earlier pipelined requests', async () => {
    const payload = rawRequest('GET', '/healthz') + 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx';
    const { replies } = await refused(payload);
    assert.deepEqual(replies, [200, 400]);
  });

  test('transfer codings other than chunked', async () => {
    const { replies, body } = await refused('POST /rest/v1/uc/recordrules HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n');
    assert.match(body.error_message, /Transfer-Encoding/);
    assert.deepEqual(replies, [400]);
  });

  test('a malformed chunk size', async () => {
    // Without the strict check "1x" would read as 1 and the rest as a new request.
    const payload = 'LOOKUP /rest/v1/uc/recordrules HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1x\r\n"\r\n0\r\n\r\n';
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(payload);
      await connection.waitClosed();
      assert.doesNotMatch(connection.unread, /HTTP\/1.1 200/);
    } finally {
      connection.destroy();
    }
  });

  test('an HTTP/1.1 request without Host gets a JSON 400', async () => {
    const { replies, body } = await refused('GET /healthz HTTP/1.1\r\n\r\n');
    assert.deepEqual(replies, [400]);
    assert.deepEqual(body, { error_code: 1400, error_message: 'Host header required' });
  });

  test('a malformed request line gets a JSON 400', async () => {
    const { replies, body } = await refused('NOT A REQUEST\r\n\r\n');
    assert.deepEqual(replies, [400]);
    assert.equal(body.error_code, 1400);
  });

  test('header bytes the HTTP grammar forbids', async () => {
    const { replies, body } = await refused('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n');
    assert.deepEqual(replies, [400]);
    assert.deepEqual(body, { error_code: 1400, error_message: 'Malformed header field value' });
  });

  test('oversized headers get a JSON 431', async () => {
    const { replies, body } = await refused(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, 431);
    assert.deepEqual(replies, [431]);
    assert.equal(body.error_code, 1431);
  });
});
