// Client wrappers that send `Content-Type: application/json` on every
// request: GET, HEAD and DELETE with that header and an empty body work as
// without it; methods that need a body still say it is missing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RawConnection, rawRequest } from './support/raw-http.js';
import { bearer, RR, useService } from './support/service.js';

/** Status line and body of one request sent with a JSON content type and no body, with or without Content-Length: 0. */
async function send(port: number, method: string, path: string, key: string, contentLength: boolean): Promise<{ status: number; body: string }> {
  const connection = await RawConnection.open(port);
  try {
    const headers = { ...bearer(key), 'content-type': 'application/json; charset=utf-8', connection: 'close', ...(contentLength ? { 'content-length': '0' } : {}) };
    connection.write(rawRequest(method, path, undefined, headers));
    await connection.waitClosed();
    const [head, body] = connection.unread.split('\r\n\r\n');
    return { status: Number(head.split(' ')[1]), body };
  } finally {
    connection.destroy();
  }
}

describe('JSON content type without a body', () => {
  const service = useService();
  const { api } = service;

  test('GET, HEAD and DELETE are answered as without the header', async () => {
    for (const contentLength of [false, true]) {
      const rule = await api.create(RR, { priority: 1 });
      const { port, key } = service.current;
      assert.equal((await send(port, 'GET', `${RR}/${rule.id}`, key, contentLength)).status, 200);
      assert.equal((await send(port, 'GET', RR, key, contentLength)).status, 200);
      assert.equal((await send(port, 'HEAD', `${RR}/${rule.id}`, key, contentLength)).status, 200);
      assert.equal((await send(port, 'DELETE', `${RR}/${rule.id}`, key, contentLength)).status, 204);
      assert.equal((await api.get(`${RR}/${rule.id}`)).status, 404, 'deleted');
      assert.equal((await send(port, 'DELETE', `${RR}/${rule.id}`, key, contentLength)).status, 404);
    }
  });

  test('POST, PATCH and LOOKUP still need a body', async () => {
    const rule = await api.create(RR, { priority: 1 });
    for (const [method, path] of [['POST', RR], ['PATCH', `${RR}/${rule.id}`], ['LOOKUP', RR]]) {
      const reply = await send(service.current.port, method, path, service.current.key, true);
      assert.equal(reply.status, 400, method);
      assert.deepEqual(JSON.parse(reply.body), { error_code: 1400, error_message: 'Request body is empty; expected JSON' });
    }
  });
});
