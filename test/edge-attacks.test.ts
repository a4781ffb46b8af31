// The HTTP edge under attack, over raw sockets: every way found to make two
// parsers disagree about where a request ends, to make the edge buffer
// without bound, or to read stale data through pipelining. A canary entity
// must survive every smuggling attempt.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { chunkedRequest, RawConnection, rawRequest as rawRequestOf } from './support/raw-http.js';
import { bearer, RR, useService } from './support/service.js';

/** What a connection answers to `payload`: the statuses in order, the last body, and whether it closed. */
async function exchange(port: number, payload: string | Buffer, settleMs = 300): Promise<{ statuses: number[]; last: any; closed: boolean; rest: string }> {
  const connection = await RawConnection.open(port);
  try {
    connection.write(payload);
    const statuses: number[] = [];
    let last: any;
    for (;;) {
      const [reply] = await connection.read(1, settleMs).catch(() => [undefined]);
      if (!reply) break;
      statuses.push(reply.status);
      last = reply.json;
    }
    return { statuses, last, closed: connection.closed, rest: connection.unread };
  } finally {
    connection.destroy();
  }
}

describe('the edge refuses smuggling and keeps the canary', () => {
  const service = useService();
  const { api } = service;
  let canary: { id: string };
  const auth = () => `Authorization: Bearer ${service.current.key}\r\n`;
  const smuggledDelete = () => `DELETE ${RR}/${canary.id} HTTP/1.1\r\nHost: x\r\n${auth()}\r\n`;
  const chunk = (data: string) => `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;

  before(async () => {
    canary = await api.create(RR, { priority: 77, opts: { title: 'canary' } });
  });

  /** A key-less chunked request waiting with Expect: no 100 comes; once its body is sent, the 401. */
  async function assertNoContinueThenUnauthorized(connection: RawConnection): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(connection.unread, '', 'no 100 for a request without credentials');
    connection.write(`${chunk('{}')}0\r\n\r\n`);
    const [refusal] = await connection.read(1);
    assert.equal(refusal.status, 401);
  }

  async function assertCanaryAlive(): Promise<void> {
    const reply = await api.get(`${RR}/${canary.id}`);
    assert.equal(reply.status, 200, 'the canary was deleted by a smuggled request');
  }

  test('Upgrade: h2c with a chunked body: the body is data, no upgrade happens', async () => {
    const payload = `POST /healthz HTTP/1.1\r\nHost: x\r\n${auth()}Connection: Upgrade\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(smuggledDelete())}0\r\n\r\n`;
    const { statuses } = await exchange(service.current.port, payload);
    assert.deepEqual(statuses, [405]);
    await assertCanaryAlive();
  });

  test('Expect: 100-continue on a sized body without Authorization: a 401 at once, no 100, and the connection closes', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      // The client may never send the body it was not invited to send: what follows is not known to be
      // a body or a request, so nothing after the answer is read (here a body that is a request with a key).
      const body = smuggledDelete();
      connection.write(`POST ${RR} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
      const [refusal] = await connection.read(1, 2000);
      assert.equal(refusal.status, 401);
      assert.equal(refusal.headers.connection, 'close');
      connection.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n${body}`);
      await connection.waitClosed();
      assert.equal(connection.unread, '');
    } finally {
      connection.destroy();
    }
    await assertCanaryAlive();
  });

  test('a head naming both keep-alive and close closes, and its answer says so (HTTP/1.0 too, where Node lets keep-alive win)', async () => {
    for (const head of ['GET /healthz HTTP/1.0\r\nConnection: keep-alive, close\r\n', 'GET /healthz HTTP/1.0\r\nProxy-Connection: close, keep-alive\r\n', 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n']) {
      const connection = await RawConnection.open(service.current.port);
      try {
        connection.write(`${head}\r\n`);
        const [answer] = await connection.read(1);
        assert.equal(answer.status, 200);
        assert.equal(answer.headers.connection, 'close', head);
        connection.write(smuggledDelete());
        await connection.waitClosed();
      } finally {
        connection.destroy();
      }
    }
    await assertCanaryAlive();
  });

  test('an empty Authorization field is no credentials: no 100 invites the body', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(`POST ${RR} HTTP/1.1\r\nHost: x\r\nAuthorization:\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      await assertNoContinueThenUnauthorized(connection);
    } finally {
      connection.destroy();
    }
  });

  test('a 100 owed to a chunked body that arrived before its turn is not sent later, to the next request', async () => {
    const keyed = `POST ${RR} HTTP/1.1\r\nHost: x\r\n${auth()}Expect: 100-continue\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n${chunk('{"priority":5}')}0\r\n\r\n`;
    // Behind another request, so that its body is complete before it is its turn.
    const { statuses } = await exchange(service.current.port, `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n${keyed}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.deepEqual(statuses, [200, 200, 200]);

    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n${keyed}POST ${RR} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const answers = await connection.read(2);
      assert.deepEqual(answers.map((answer) => answer.status), [200, 200]);
      await assertNoContinueThenUnauthorized(connection);
    } finally {
      connection.destroy();
    }
  });

  test('a sized body over the limit gets no 100, even with a key; its answer says the connection closes, and it does', async () => {
    const length = 2_000_000;
    for (const [credentials, status] of [[auth(), 413], ['', 401]] as const) {
      for (const expect of ['Expect: 100-continue\r\n', '']) {
        const connection = await RawConnection.open(service.current.port);
        try {
          connection.write(`POST ${RR} HTTP/1.1\r\nHost: x\r\n${credentials}${expect}Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
          const [answer] = await connection.read(1, 2000);
          assert.equal(answer.status, status, `${credentials ? 'with' : 'without'} a key, ${expect ? 'with' : 'without'} Expect`);
          assert.equal(answer.headers.connection, 'close');
          // Part of the body the client sends anyway is read and dropped: the answer is not reset away.
          connection.write('x'.repeat(64 * 1024));
          await connection.waitClosed();
        } finally {
          connection.destroy();
        }
      }
    }
  });

  test('CONNECT with a chunked body is an ordinary refused request, not a tunnel', async () => {
    const payload = `CONNECT ${RR} HTTP/1.1\r\nHost: x\r\n${auth()}Transfer-Encoding: chunked\r\n\r\n${chunk(smuggledDelete())}0\r\n\r\n`;
    const { statuses } = await exchange(service.current.port, payload);
    assert.deepEqual(statuses, [405]);
    await assertCanaryAlive();
  });

  for (const [name, pad] of [
    ['vertical tab', '\v'],
    ['form feed', '\f'],
    ['no-break space', '\xa0'],
  ]) {
    test(`Transfer-Encoding padded with a ${name} is refused`, async () => {
      const payload = Buffer.from(`POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked${pad}\r\nContent-Length: 3\r\n\r\nabc${smuggledDelete()}`, 'latin1');
      const { statuses, last, closed } = await exchange(service.current.port, payload);
      assert.deepEqual(statuses, [400]);
      assert.equal(last.error_code, 1400);
      assert.ok(closed);
      await assertCanaryAlive();
    });
  }

  for (const [name, line] of [
    ['a space before the colon', 'Content-Length : 5'],
    ['a tab before the colon', 'Content-Length\t: 5'],
    ['no colon at all', 'Content-Length 5'],
    ['an empty field name', ': 5'],
    ['an obs-fold continuation', 'X-A: 1\r\n Content-Length: 5'],
  ]) {
    test(`a header line with ${name} is a 400, not a dropped line`, async () => {
      const payload = `POST /healthz HTTP/1.1\r\nHost: x\r\n${line}\r\n\r\n${smuggledDelete()}`;
      const { statuses, last, closed } = await exchange(service.current.port, payload);
      assert.deepEqual(statuses, [400]);
      assert.equal(last.error_code, 1400);
      assert.ok(closed);
      await assertCanaryAlive();
    });
  }

  test('a chunk-size line without end is cut at its bound, without a key', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write('POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;');
      // Far more than the bound, in pieces: the edge must answer long before this ends.
      for (let i = 0; i < 32 && !connection.closed; i++) connection.write('a'.repeat(64 * 1024));
      const [reply] = await connection.read(1);
      assert.equal(reply.status, 400);
      assert.equal(reply.json.error_message, 'Chunk size line too long');
      await connection.waitClosed();
    } finally {
      connection.destroy();
    }
    assert.equal((await api.get('/healthz')).status, 200);
  });

  test('an endless trailer section is cut at its bound', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write('POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n');
      for (let i = 0; i < 64 && !connection.closed; i++) connection.write('X-Trailer: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n'.repeat(1000));
      const [reply] = await connection.read(1);
      assert.equal(reply.status, 431);
      assert.equal(reply.json.error_code, 1431);
      await connection.waitClosed();
    } finally {
      connection.destroy();
    }
  });

  test('a head without end is cut at its bound', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      for (let i = 0; i < 32 && !connection.closed; i++) connection.write(`X-A: ${'b'.repeat(1000)}\r\n`.repeat(60));
      const [reply] = await connection.read(1);
      assert.equal(reply.status, 431);
      await connection.waitClosed();
    } finally {
      connection.destroy();
    }
  });

  for (const [name, body] of [
    ['a bare LF after a chunk size', '5\n"abc"\r\n0\r\n\r\n'],
    ['a bare LF after chunk data', '5\r\n"abc"\n0\r\n\r\n'],
    ['a space after a chunk size', '5 \r\n"abc"\r\n0\r\n\r\n'],
    ['a chunk size that is not hex', '1x\r\n"\r\n0\r\n\r\n'],
    ['a chunk size with a sign', '+5\r\n"abc"\r\n0\r\n\r\n'],
    ['an empty chunk size line', '\r\n"abc"\r\n0\r\n\r\n'],
    ['a request line as a trailer', `0\r\nGET /healthz HTTP/1.1\r\n\r\n`],
    ['chunk data longer than its size', '3\r\n"abc"\r\n0\r\n\r\n'],
  ]) {
    test(`${name} is a JSON 400 and the connection closes`, async () => {
      const payload = `LOOKUP ${RR} HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}${smuggledDelete()}`;
      const { statuses, last, closed } = await exchange(service.current.port, payload);
      assert.deepEqual(statuses, [400]);
      assert.equal(last.error_code, 1400);
      assert.ok(closed);
      await assertCanaryAlive();
    });
  }

  test('HTTP/1.0 with Transfer-Encoding is faulty framing: 400 and close', async () => {
    const payload = `POST /healthz HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggledDelete()}`;
    const { statuses, closed } = await exchange(service.current.port, payload);
    assert.deepEqual(statuses, [400]);
    assert.ok(closed);
    await assertCanaryAlive();
  });

  test('a second Content-Length, even an equal one, is refused', async () => {
    const payload = `POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc`;
    const { statuses } = await exchange(service.current.port, payload);
    assert.deepEqual(statuses, [400]);
  });

  test('two Host fields, or a malformed one, are refused (RFC 9112 §3.2)', async () => {
    assert.deepEqual((await exchange(service.current.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')).statuses, [400]);
    assert.deepEqual((await exchange(service.current.port, 'GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n')).statuses, [400]);
    assert.deepEqual((await exchange(service.current.port, 'GET /healthz HTTP/1.1\r\nHost: user@a\r\n\r\n')).statuses, [400]);
  });

  test('an unsupported version is 505; a malformed one 400', async () => {
    const v2 = await exchange(service.current.port, 'GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n');
    assert.deepEqual(v2.statuses, [505]);
    assert.equal(v2.last.error_code, 1505);
    assert.deepEqual((await exchange(service.current.port, 'GET /healthz HTTP/1.10\r\nHost: x\r\n\r\n')).statuses, [400]);
    assert.deepEqual((await exchange(service.current.port, 'GET /healthz http/1.1\r\nHost: x\r\n\r\n')).statuses, [400]);
  });

  test('a bare LF in the head is refused', async () => {
    assert.deepEqual((await exchange(service.current.port, 'GET /healthz HTTP/1.1\nHost: x\n\n')).statuses, [400]);
    assert.deepEqual((await exchange(service.current.port, 'GET /healthz HTTP/1.1\r\nHost: x\n\r\n')).statuses, [400]);
  });

  test('an expectation other than 100-continue is 417', async () => {
    const { statuses, last } = await exchange(service.current.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n');
    assert.deepEqual(statuses, [417]);
    assert.equal(last.error_code, 1417);
    assert.deepEqual((await exchange(service.current.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, magic\r\n\r\n')).statuses, [417]);
    // A list of 100-continue on one line is what the same on two lines is (RFC 9110 §5.3).
    for (const expect of ['Expect: 100-continue, 100-Continue\r\n', 'Expect: 100-continue\r\nExpect: 100-continue\r\n']) {
      assert.deepEqual((await exchange(service.current.port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${expect}\r\n`)).statuses, [200], expect);
    }
  });

  test('a chunked body over the body limit is 413 before the application sees it', async () => {
    const big = 'a'.repeat(600 * 1024);
    const payload = `POST ${RR} HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(big)}${chunk(big)}0\r\n\r\n`;
    const { statuses, last } = await exchange(service.current.port, payload, 1000);
    assert.deepEqual(statuses, [413]);
    assert.equal(last.error_code, 1413);
  });

  test('empty lines before a request line are ignored (RFC 9112 §2.2)', async () => {
    const { statuses } = await exchange(service.current.port, '\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(statuses, [200]);
  });

  test('an absolute-form target is served as its path, with its authority as Host', async () => {
    const { statuses, last } = await exchange(service.current.port, `GET http://example.test${RR}/${canary.id} HTTP/1.1\r\nHost: other\r\n${auth()}\r\n`);
    assert.deepEqual(statuses, [200]);
    assert.equal(last.id, canary.id);
    assert.deepEqual((await exchange(service.current.port, `GET ftp://example.test/healthz HTTP/1.1\r\nHost: x\r\n\r\n`)).statuses, [400]);
    assert.deepEqual((await exchange(service.current.port, `GET http://user@example.test/healthz HTTP/1.1\r\nHost: x\r\n\r\n`)).statuses, [400]);
  });
});

describe('ordinary clients the strict grammar must not refuse', () => {
  const service = useService();
  const { api } = service;
  const rawRequest = (method: string, path: string, body?: string) => rawRequestOf(method, path, body, bearer(service.current.key));

  test('bodies are data: a bare LF in a sized or chunked body is fine, also after pipelined requests', async () => {
    const pretty = JSON.stringify({ priority: 5, opts: { title: 'indented' } }, null, 1);
    const chunked = `POST ${RR} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${service.current.key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(pretty).toString(16)}\r\n${pretty}\r\n0\r\n\r\n`;
    const { statuses } = await exchange(service.current.port, rawRequest('GET', '/healthz') + rawRequest('GET', '/healthz') + rawRequest('POST', RR, pretty) + chunked + rawRequest('LOOKUP', RR, '"none"\n'));
    assert.deepEqual(statuses, [200, 200, 200, 200, 404]);
  });

  test('Expect: 100-continue with a chunked body gets its 100 before the body is sent', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(`POST ${RR} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${service.current.key}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const started = Date.now();
      while (!connection.unread.includes('100 Continue') && Date.now() - started < 2000) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.match(connection.unread, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
      connection.write('f\r\n{"priority":42}\r\n0\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.match(connection.unread, /HTTP\/1\.1 200 OK/);
      assert.doesNotMatch(connection.unread.slice(30), /100 Continue/, 'a single 100');
    } finally {
      connection.destroy();
    }
  });

  test('Expect: 100-continue with a sized body and a key gets its 100, then the answer', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      const body = '{"priority":43}';
      connection.write(`POST ${RR} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${service.current.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
      const [invitation] = await connection.read(1, 2000);
      assert.equal(invitation.status, 100);
      connection.write(body);
      const [created] = await connection.read(1);
      assert.equal(created.status, 200);
      assert.equal((created.json as { priority: number }).priority, 43);
    } finally {
      connection.destroy();
    }
  });

  test('Proxy-Connection: keep-alive keeps an HTTP/1.0 connection open, as Node reads it', async () => {
    const { statuses } = await exchange(service.current.port, 'GET /healthz HTTP/1.0\r\nProxy-Connection: keep-alive\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n');
    assert.deepEqual(statuses, [200, 200]);
  });

  test('PRI, the HTTP/2 preface method, is refused rather than dropping the connection', async () => {
    const { statuses } = await exchange(service.current.port, 'PRI /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(statuses, [400]);
  });

  test('a line that is no request line is refused at once, without waiting for a head', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write('GET /\r\n');
      const [reply] = await connection.read(1, 1000);
      assert.equal(reply.status, 400);
    } finally {
      connection.destroy();
    }
  });

  test('a million one-byte chunks cost the size of the body, not an object per chunk', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(`POST /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${service.current.key}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const before = process.memoryUsage().heapUsed;
      const batch = '1\r\nX\r\n'.repeat(10_000);
      for (let i = 0; i < 30; i++) {
        connection.write(batch);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const grown = process.memoryUsage().heapUsed - before;
      assert.ok(grown < 12 * 1024 * 1024, `heap grew by ${Math.round(grown / 1024 / 1024)} MB for 300,000 one-byte chunks`);
      connection.write('0\r\n\r\n');
      const [reply] = await connection.read(1);
      assert.equal(reply.status, 405);
    } finally {
      connection.destroy();
    }
    assert.equal((await api.get('/healthz')).status, 200);
  });
});

describe('pipelined requests run one at a time, in order', () => {
  const service = useService();
  const { api } = service;
  const rawRequest = (method: string, path: string, body?: string) => rawRequestOf(method, path, body, bearer(service.current.key));

  test('DELETE then GET of the same entity in one packet: the GET sees the delete', async () => {
    const rule = await api.create(RR, { priority: 1 });
    const { statuses } = await exchange(service.current.port, rawRequest('DELETE', `${RR}/${rule.id}`) + rawRequest('GET', `${RR}/${rule.id}`));
    assert.deepEqual(statuses, [204, 404]);
  });

  test('PATCH then GET in one packet: the GET sees the new value', async () => {
    const rule = await api.create(RR, { priority: 1 });
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(rawRequest('PATCH', `${RR}/${rule.id}`, '{"priority":2}') + rawRequest('GET', `${RR}/${rule.id}`));
      const [patched, read] = await connection.read(2);
      assert.equal(patched.status, 200);
      assert.equal(read.json.priority, 2);
    } finally {
      connection.destroy();
    }
  });

  test('POST with an id then GET of that id in one packet', async () => {
    const id = '0190c7a2-0000-7000-8000-00000000abcd';
    const { statuses } = await exchange(service.current.port, rawRequest('POST', RR, JSON.stringify({ id, priority: 3 })) + rawRequest('GET', `${RR}/${id}`));
    assert.deepEqual(statuses, [200, 200]);
  });

  test('a client that does not read its responses stops being read: requests are not run ahead', async () => {
    // Large responses, so that the socket buffers fill after a few of them (a comment may hold 4096 characters).
    const comment = 'x'.repeat(3000);
    for (let i = 0; i < 60; i++) await api.create(RR, { priority: i, opts: { comment } });
    const lists = async () => {
      const text = (await api.get('/metrics')).text;
      const line = text.split('\n').find((l) => l.startsWith('store_operation_duration_seconds_count{') && l.includes('operation="list"') && l.includes('collection="recordrules"'));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    const stored = (await api.get(RR, { limit: '10000', mask: 'id' })).body.length;
    const before = await lists();
    const count = 300;
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.pause();
      connection.write(rawRequest('GET', `${RR}?limit=10000&mask=id,opts.comment`).repeat(count));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const ran = (await lists()) - before;
      assert.ok(ran < count / 3, `${ran} of ${count} lists ran while their client read nothing`);
      connection.resume();
      const replies = await connection.read(count, 30_000);
      assert.equal(replies.length, count);
      assert.ok(replies.every((reply) => reply.status === 200 && reply.json.length === stored));
    } finally {
      connection.destroy();
    }
  });
});

describe('chunked bodies without a key cost bounded memory, whatever the number of connections', () => {
  const budget = 4 * 1024 * 1024;
  const service = useService({ chunkedBodyBudget: budget });
  const chunkedHead = (headers = '') => `POST ${RR} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}Transfer-Encoding: chunked\r\n\r\n`;
  const waitFor = async (condition: () => boolean, what: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  test('past the listener-wide budget a chunked body gets 503 and the connection is closed; the budget comes back', async () => {
    // Each connection sends a whole 1,000,000-byte chunk (1 MiB held at the default body limit) and stalls.
    const count = 12;
    const connections = await Promise.all(Array.from({ length: count }, () => RawConnection.open(service.current.port)));
    try {
      for (const connection of connections) connection.write(`${chunkedHead()}f4240\r\n${'x'.repeat(1_000_000)}\r\n`);
      const refused = () => connections.filter((connection) => connection.unread.includes('\r\n\r\n'));
      // At most four bodies fit in 4 MiB: every other connection is refused.
      await waitFor(() => refused().length >= count - budget / (1024 * 1024), `${count - 4} connections are refused`);
      for (const connection of refused()) {
        const [reply] = await connection.read(1);
        assert.equal(reply.status, 503);
        assert.equal(reply.json.error_code, 1503);
        await connection.waitClosed();
      }
    } finally {
      for (const connection of connections) connection.destroy();
    }
    // Closed connections give their memory back: a keyed chunked request goes through again.
    const body = JSON.stringify({ priority: 7, opts: { title: 'after the flood' } });
    const keyed = chunkedRequest('POST', RR, [body], bearer(service.current.key));
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      const connection = await RawConnection.open(service.current.port);
      connection.write(keyed);
      status = (await connection.read(1, 10_000))[0].status;
      connection.destroy();
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 200);
  });

  test('a chunked body handed to the application gives its memory back at once', async () => {
    // Twice the budget in all, one request after another on one connection: each gets the application's 401.
    const connection = await RawConnection.open(service.current.port);
    try {
      const body = 'y'.repeat(256 * 1024);
      for (let i = 0; i < 32; i++) {
        connection.write(chunkedRequest('POST', RR, [body]));
        const [reply] = await connection.read(1, 10_000);
        assert.equal(reply.status, 401, `request ${i}`);
      }
    } finally {
      connection.destroy();
    }
  });

  test('Expect: 100-continue on a chunked body without Authorization gets no 100, and the 401 after the body', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(chunkedHead('Expect: 100-continue\r\n'));
      // Any 100 would be sent on the head, so it would come before the final answer.
      connection.write('f\r\n{"priority":42}\r\n0\r\n\r\n');
      const [reply] = await connection.read(1);
      assert.equal(reply.status, 401);
      assert.doesNotMatch(connection.unread, /100 Continue/);
    } finally {
      connection.destroy();
    }
  });
});
