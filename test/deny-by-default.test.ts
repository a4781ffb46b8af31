// Authentication is deny-by-default and decided on the route the router
// matched: every registered route but the public few refuses a request
// without a key, however its path is spelled (percent-encoded, absolute-form,
// trailing slash), and so does every path that matches no route.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RawConnection, rawRequest } from './support/raw-http.js';
import { bearer, useService } from './support/service.js';

// The policy, stated here on its own: what may be reached without a key.
// The console's page and assets are public too: they hold no data, and the page signs in with a key.
const PUBLIC = ['/healthz', '/openapi.json', '/metrics', '/console'];
const isPublic = (url: string) => PUBLIC.includes(url) || url === '/docs' || url.startsWith('/docs/') || url.startsWith('/console/');

/** A concrete path for a route pattern: parameters and wildcards filled in. */
function concrete(pattern: string): string {
  return pattern
    .replace(/:id\b/g, '0190a8c2-7f4e-7b61-9a2c-4e8f1d2c3b4a')
    .replace(/:value\b/g, '5f0c2d9e8a7b6c5d4e3f2a1b0c9d8e7f')
    .replace(/\*$/, 'asset.js')
    // Fastify writes a literal colon as "::" (the AIP-136 :lookup routes).
    .replace(/::/g, ':');
}

const encodeChar = (char: string, upper: boolean) => {
  const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? hex.toUpperCase() : hex}`;
};

/** The path spelled the ways a client may spell it, all routed to the same route. */
function spellings(path: string): string[] {
  const segments = path.split('/');
  // First letter of the first segment encoded (/%72est/...), a later letter of every segment (/r%65st/v%31/...).
  const first = ['', encodeChar(segments[1][0], false) + segments[1].slice(1), ...segments.slice(2)].join('/');
  const each = segments.map((segment) => (segment.length > 1 ? segment[0] + encodeChar(segment[1], true) + segment.slice(2) : segment)).join('/');
  const all = segments.map((segment) => [...segment].map((char) => encodeChar(char, false)).join('')).join('/');
  return [path, `${path}/`, first, each, all, `http://x${path}`, `https://x${path}`, `http://x${first}`, `HTTP://localhost:80${each}`];
}

/** One request on a connection of its own; the status and body of the response. */
async function send(port: number, method: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any; head: string }> {
  const connection = await RawConnection.open(port);
  try {
    const body = ['POST', 'PATCH', 'LOOKUP', 'PUT'].includes(method) ? (method === 'LOOKUP' ? '"x"' : '{}') : undefined;
    if (method === 'HEAD') {
      // A HEAD response has a Content-Length but no body: read until the server closes.
      connection.write(rawRequest(method, target, body, { ...headers, connection: 'close' }));
      await connection.waitClosed();
      const head = connection.unread;
      return { status: Number(head.split(' ')[1]), json: undefined, head };
    }
    connection.write(rawRequest(method, target, body, headers));
    const [reply] = await connection.read(1);
    return { status: reply.status, json: reply.json, head: JSON.stringify(reply.headers) };
  } finally {
    connection.destroy();
  }
}

describe('deny by default', () => {
  const service = useService();

  test('the route list holds every collection operation, LOOKUP, the resolver and the change feed', () => {
    const listed = new Set(service.current.routes.map(({ method, url }) => `${method} ${url}`));
    for (const path of ['/rest/v1/uc/recordrules', '/rest/v1/service/integration_points']) {
      for (const method of ['GET', 'HEAD', 'POST', 'LOOKUP']) assert.ok(listed.has(`${method} ${path}`), `${method} ${path}`);
      for (const method of ['GET', 'HEAD', 'PATCH', 'DELETE']) assert.ok(listed.has(`${method} ${path}/:id`), `${method} ${path}/:id`);
    }
    assert.ok(listed.has('GET /rest/v1/service/integration_tokens/:value'));
    assert.ok(listed.has('GET /rest/v1/events'));
  });

  test('every non-public route refuses a missing key, in every spelling of its path', async () => {
    const guarded = service.current.routes.filter(({ url }) => !isPublic(url));
    assert.ok(guarded.length >= 20, `only ${guarded.length} routes`);
    const failures: string[] = [];
    for (const { method, url } of guarded) {
      for (const target of spellings(concrete(url))) {
        const reply = await send(service.current.port, method, target);
        const challenged = reply.head.includes('"www-authenticate":"Bearer"') || /www-authenticate: Bearer/i.test(reply.head);
        if (reply.status !== 401 || (method !== 'HEAD' && reply.json?.error_code !== 1401) || !challenged) {
          failures.push(`${method} ${target} (${url}): ${reply.status}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  test('an unknown key is refused on every non-public route', async () => {
    for (const { method, url } of service.current.routes.filter(({ url }) => !isPublic(url))) {
      const reply = await send(service.current.port, method, concrete(url), bearer('csk_unknown'));
      assert.equal(reply.status, 401, `${method} ${url}`);
    }
  });

  test('paths that match no route, and wrong verbs on public paths, need a key too', async () => {
    const targets: [string, string][] = [
      ['GET', '/'],
      ['GET', '/nope'],
      ['GET', '/rest'],
      ['GET', '/rest/v1/uc/nothing'],
      ['GET', '/%72est/v1/uc/nothing'],
      ['GET', '/healthz/more'],
      ['GET', '/docsx'],
      ['POST', '/healthz'],
      ['DELETE', '/openapi.json'],
      ['PATCH', '/metrics'],
      ['OPTIONS', '/rest/v1/uc/recordrules'],
      ['FROBNICATE', '/rest/v1/uc/recordrules'],
      ['GET', 'http://x/nope'],
    ];
    for (const [method, target] of targets) {
      assert.equal((await send(service.current.port, method, target)).status, 401, `${method} ${target}`);
    }
    // With a key the same requests get their ordinary answers: the key check is not a disguised 404.
    assert.equal((await send(service.current.port, 'GET', '/nope', bearer(service.current.key))).status, 404);
    assert.equal((await send(service.current.port, 'POST', '/healthz', bearer(service.current.key))).status, 405);
  });

  test('the public routes answer without a key', async () => {
    const open = service.current.routes.filter(({ url }) => isPublic(url));
    assert.deepEqual(
      [...new Set(open.map(({ url }) => url))].filter((url) => !url.startsWith('/docs') && !url.startsWith('/console/')).sort(),
      [...PUBLIC].sort(),
    );
    for (const { method, url } of open) {
      if (url.includes('*')) continue; // the static-asset wildcard: a made-up file name is a 404 either way
      const reply = await send(service.current.port, method, concrete(url));
      assert.ok(reply.status < 400, `${method} ${url}: ${reply.status}`);
    }
  });

  test('dot segments under /console name no file: 404, whatever they point at', async () => {
    for (const target of ['/console/..', '/console/../', '/console/./index.html', '/console/%2e%2e/package.json', '/console/a/../index.html', '/console/../rest/v1/uc/recordrules']) {
      const reply = await send(service.current.port, 'GET', target);
      assert.equal(reply.status, 404, target);
      assert.deepEqual(reply.json, { error_code: 1404, error_message: 'Not found' }, target);
    }
  });
});
