// Limits that keep slow or oversized clients from holding the service:
// head and request deadlines, idle keep-alive, URL and header sizes.
import assert from 'node:assert/strict';
import net from 'node:net';
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

  test('empty lines before a request line do not stop the head deadline', async () => {
    const connection = await RawConnection.open(service.current.port);
    const keepTalking = setInterval(() => !connection.closed && connection.write('\r\n'), 100);
    try {
      const [reply] = await connection.read(1, 3000);
      assert.equal(reply.status, 408);
      await connection.waitClosed();
    } finally {
      clearInterval(keepTalking);
      connection.destroy();
    }
  });

  test('each pipelined request has its own head deadline', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      // Every write completes one request and starts the next: no head takes long, the connection does.
      const request = rawRequest('GET', '/healthz');
      const cut = 20;
      connection.write(request.slice(0, cut));
      for (let i = 0; i < 12; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        connection.write(request.slice(cut) + request.slice(0, cut));
      }
      connection.write(request.slice(cut));
      const replies = await connection.read(13, 3000);
      assert.ok(replies.every((reply) => reply.status === 200));
    } finally {
      connection.destroy();
    }
  });

  test('a client that stops taking its responses is cut after the request timeout', async () => {
    // Large responses: 40 comments of 3000 characters (a comment may hold 4096).
    for (let i = 0; i < 40; i++) await service.api.create(RR, { priority: i, opts: { comment: 'y'.repeat(3000) } });
    const connection = await RawConnection.open(service.current.port);
    connection.pause();
    connection.write(rawRequest('GET', `${RR}?limit=10000&mask=id,opts.comment`, undefined, auth()).repeat(200));
    // Far past the timeout (the service first fills the socket buffers, slowly on a loaded machine):
    // the service gave up on this client and ended the connection.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    connection.resume();
    await connection.waitClosed(10000);
    const answered = connection.unread.split('HTTP/1.1 200 OK').length - 1;
    assert.ok(answered < 200, `all ${answered} responses were sent to a client that read none for 5 s`);
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

describe('a large response and the request timeout', () => {
  // A timeout short next to the time the response takes, with room for a loaded machine's scheduling.
  const service = useService({ requestTimeoutMs: 1500 });
  const auth = () => bearer(service.current.key);

  test('a client reading one large response slowly but steadily gets all of it', async () => {
    // The largest response a list gives (its row data is capped at 4 Mi characters): about 4 MB in one
    // write, in flight for several request timeouts while the client takes it piece by piece. A client
    // that stops reading altogether is cut: the pipelined test above.
    const ext = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, String(i).padEnd(1000, 'x')]));
    const created = new Set<string>();
    for (let i = 0; i < 120; i += 10) {
      for (const entity of await Promise.all(Array.from({ length: 10 }, (_, j) => service.api.create(RR, { priority: i + j, ext })))) created.add(entity.id);
    }
    const socket = net.connect(service.current.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    // One read of the socket (at most 64 KiB) every 100 ms: never stalled, far slower than the service writes.
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      socket.pause();
    });
    const reader = setInterval(() => socket.resume(), 100);
    try {
      socket.write(rawRequest('GET', `${RR}?limit=10000&mask=id,ext`, undefined, { ...auth(), Connection: 'close' }));
      await new Promise((resolve) => socket.once('close', resolve));
    } finally {
      clearInterval(reader);
      socket.destroy();
    }
    const received = Buffer.concat(chunks);
    const headEnd = received.indexOf('\r\n\r\n');
    assert.match(received.subarray(0, headEnd).toString('latin1'), /^HTTP\/1\.1 200 /);
    const length = Number(/content-length: (\d+)/i.exec(received.subarray(0, headEnd).toString('latin1'))![1]);
    assert.ok(length > 3 * 1024 * 1024, `a response of ${length} bytes is too small to take several request timeouts`);
    assert.equal(received.length - headEnd - 4, length, 'the connection was closed before the whole response was sent');
    const ids = new Set((JSON.parse(received.subarray(headEnd + 4).toString('utf8')) as { id: string }[]).map((entity) => entity.id));
    for (const id of created) assert.ok(ids.has(id));
  });
});
