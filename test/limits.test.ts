// Limits that keep slow or oversized clients from holding the service:
// head and request deadlines, idle keep-alive, URL and header sizes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RawConnection, rawRequest } from './support/raw-http.js';
import { bearer, RR, useService } from './support/service.js';

describe('limits', () => {
  const service = useService({ headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300 });
  const auth = () => bearer(service.current.key);

  test('a connection that never sends a request head gets 408 and is closed', async () => {
    const connection = await RawConnection.open(service.current.port);
    const started = Date.now();
    const [reply] = await connection.read(1, 3000);
    assert.equal(reply.status, 408);
    assert.equal(reply.json.error_code, 1408);
    await connection.waitClosed();
    assert.ok(Date.now() - started >= 250);
  });

  test('a head trickling in slower than the deadline gets 408', async () => {
    const connection = await RawConnection.open(service.current.port);
    const trickle = (async () => {
      for (const piece of ['GET /healthz HT', 'TP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n']) {
        if (connection.closed) return;
        connection.write(piece);
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
    })();
    const [reply] = await connection.read(1, 3000);
    assert.equal(reply.status, 408);
    await connection.waitClosed();
    await trickle;
  });

  test('a body that stalls past the request deadline loses its connection', async () => {
    const connection = await RawConnection.open(service.current.port);
    connection.write(`POST ${RR} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth().authorization}\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"priority"`);
    await connection.waitClosed(3000);
    assert.equal(connection.unread, '');
  });

  test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const connection = await RawConnection.open(service.current.port);
    connection.write(rawRequest('GET', RR, undefined, auth()));
    const [reply] = await connection.read(1);
    assert.equal(reply.status, 200);
    await connection.waitClosed(3000);
  });

  test('a busy keep-alive connection is not cut by the head deadline', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      for (let i = 0; i < 4; i++) {
        connection.write(rawRequest('GET', RR, undefined, auth()));
        assert.equal((await connection.read(1))[0].status, 200);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    } finally {
      connection.destroy();
    }
  });

  test('a request target over 8 KiB gets 414; headers over 16 KiB get 431', async () => {
    const long = await RawConnection.open(service.current.port);
    long.write(rawRequest('GET', `${RR}?mask=${'a'.repeat(9000)}`, undefined, auth()));
    const [uri] = await long.read(1);
    assert.equal(uri.status, 414);
    assert.equal(uri.json.error_code, 1414);
    const big = await RawConnection.open(service.current.port);
    big.write(rawRequest('GET', RR, undefined, { ...auth(), 'X-Big': 'b'.repeat(17000) }));
    const [headers] = await big.read(1);
    assert.equal(headers.status, 431);
  });
});
