// Running the service as operators do: the real entry point in its own
// process, structured logs, health, configuration, graceful SIGTERM.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { RawConnection, rawRequest } from './support/raw-http.js';
import { startServiceProcess, type ServiceProcess } from './support/process.js';
import { Api, dropTestStore, IP, RR, testDatabaseUrl } from './support/service.js';

interface Child extends ServiceProcess {
  dataDir: string;
  databaseUrl: string;
  /** The key the process bootstrapped on its empty store. */
  key: string;
}

async function startChild(env: Record<string, string> = {}): Promise<Child> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'collections-ops-'));
  const databaseUrl = testDatabaseUrl(dataDir);
  const keyFile = path.join(dataDir, 'bootstrap-key');
  const started = await startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, BOOTSTRAP_KEY_FILE: keyFile, ...env });
  return { ...started, dataDir, databaseUrl, key: readFileSync(keyFile, 'utf8').trim() };
}

async function cleanUp(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await dropTestStore(child.databaseUrl);
  rmSync(child.dataDir, { recursive: true, force: true });
}

describe('the service process', () => {
  test('logs one JSON object per line, and never a token or an API key', async () => {
    const child = await startChild();
    try {
      const api = new Api(child.url, child.key);
      assert.deepEqual((await api.get('/healthz')).body, { status: 'ok' });
      const point = await api.create(IP, { type: 'public' });
      await api.get(IP, { filter: JSON.stringify({ token_local: point.token_local }) });
      await api.lookup(IP, point.token_local);
      child.process.kill('SIGTERM');
      assert.equal(await child.exited, 0);
      const entries = child.logs.filter(Boolean).map((line) => JSON.parse(line));
      assert.ok(entries.every((entry) => typeof entry.level === 'number' && typeof entry.msg === 'string'));
      assert.ok(entries.some((entry) => entry.req?.method === 'LOOKUP'), 'requests are logged with their real method');
      assert.ok(!child.logs.join('\n').includes(point.token_local), 'token_local is not in the logs');
      assert.ok(!child.logs.join('\n').includes(child.key), 'the API key is not in the logs');
      assert.ok(entries.some((entry) => entry.file?.endsWith('bootstrap-key')), 'the bootstrap log names the key file');
    } finally {
      await cleanUp(child);
    }
  });

  test('SIGTERM lets an in-flight request finish, closes idle connections and exits 0', async () => {
    const child = await startChild();
    const idle = await RawConnection.open(child.port);
    const busy = await RawConnection.open(child.port);
    try {
      idle.write(rawRequest('GET', '/healthz'));
      await idle.read(1);
      const body = JSON.stringify({ priority: 42 });
      // Headers and half the body now; the rest after SIGTERM.
      busy.write(`POST ${RR} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${child.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      child.process.kill('SIGTERM');
      await idle.waitClosed();
      await new Promise((resolve) => setTimeout(resolve, 100));
      busy.write(body.slice(5));
      const [reply] = await busy.read(1);
      assert.equal(reply.status, 200);
      assert.equal(reply.json.priority, 42);
      assert.equal(await child.exited, 0);
    } finally {
      idle.destroy();
      busy.destroy();
      await cleanUp(child);
    }
  });
});

describe('configuration', () => {
  test('defaults: 127.0.0.1:8080 and an SQLite file under ./data', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.databaseUrl, `sqlite:${path.join('data', 'app.db')}`);
    assert.equal(config.bodyLimit, 1048576);
  });

  test('PORT, HOST, DATA_DIR and DATABASE_URL are honoured', () => {
    assert.equal(loadConfig({ PORT: '9000' }).port, 9000);
    assert.equal(loadConfig({ HOST: '0.0.0.0' }).host, '0.0.0.0');
    assert.equal(loadConfig({ DATA_DIR: '/var/lib/x' }).databaseUrl, 'sqlite:/var/lib/x/app.db');
    assert.equal(loadConfig({ DATA_DIR: '/x', DATABASE_URL: 'sqlite:./y.db' }).databaseUrl, 'sqlite:./y.db');
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be/);
  });

  test('logs are pretty on a terminal and JSON lines elsewhere, unless LOG_FORMAT says', () => {
    assert.equal(loadConfig({}, true).logFormat, 'pretty');
    assert.equal(loadConfig({}, false).logFormat, 'json');
    assert.equal(loadConfig({ LOG_FORMAT: 'json' }, true).logFormat, 'json');
    assert.equal(loadConfig({ LOG_FORMAT: 'pretty' }, false).logFormat, 'pretty');
  });
});
