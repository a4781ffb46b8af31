// Storage faults under the embedded store: database files deleted or
// replaced while the service runs, a read-only database, a full disk. Each
// is a 503/1503 with /healthz failing, never a 500, and no acknowledged
// write goes into a file that is no longer there. A bootstrap key file is
// never overwritten, and data files are private to the service's user.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { startServiceProcess } from './support/process.js';
import { Api, IP, onPostgres, RR, startTestService, type Reply } from './support/service.js';

const embedded = !onPostgres;
const root = process.getuid?.() === 0;
const UNAVAILABLE = 1503;

function assertUnavailable(reply: Reply, what: string): void {
  assert.equal(reply.status, 503, `${what}: ${reply.status} ${reply.text}`);
  assert.equal(reply.body.error_code, UNAVAILABLE, what);
}

/** Every kind of request a store serves: all 503 once its files are lost. */
async function assertAllUnavailable(api: Api, rule: { id: string }): Promise<void> {
  // Reads look at the files at most every 100 ms.
  await new Promise((resolve) => setTimeout(resolve, 150));
  assertUnavailable(await api.get('/healthz'), 'health');
  assertUnavailable(await api.get(RR), 'list');
  assertUnavailable(await api.get(`${RR}/${rule.id}`), 'get one');
  assertUnavailable(await api.lookup(RR, rule.id), 'lookup');
  assertUnavailable(await api.post(RR, { priority: 2 }), 'create');
  assertUnavailable(await api.patch(`${RR}/${rule.id}`, { priority: 3 }), 'patch');
  assertUnavailable(await api.delete(`${RR}/${rule.id}`), 'delete');
}

/** Mounts a tmpfs of `size` at a new directory; undefined where mounting is not allowed. */
function smallDisk(size: string): string | undefined {
  if (!root) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'collections-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

describe('storage faults', { skip: !embedded && 'faults of the embedded store\'s files' }, () => {
  test('database files deleted under the running service: 503 everywhere; a restart does not overwrite the key file', async () => {
    const service = await startTestService();
    const keyFile = path.join(service.dataDir, 'bootstrap-key');
    try {
      const api = new Api(service.url, service.key);
      const rule = await api.create(RR, { priority: 1 });
      for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(service.dataDir, `app.db${suffix}`));
      await assertAllUnavailable(api, rule);
    } finally {
      await service.stop();
    }
    const key = readFileSync(keyFile, 'utf8');
    await assert.rejects(startTestService({}, service.dataDir), /The store has no API keys, but the bootstrap key file .*bootstrap-key exists/);
    assert.equal(readFileSync(keyFile, 'utf8'), key, 'the key file is untouched');
    rmSync(service.dataDir, { recursive: true, force: true });
  });

  test('the database file replaced under the running service: 503 everywhere', async () => {
    const service = await startTestService();
    try {
      const api = new Api(service.url, service.key);
      const rule = await api.create(RR, { priority: 1 });
      const file = path.join(service.dataDir, 'app.db');
      // Copied by another process: a descriptor of the database opened and closed in this one would drop the store's locks.
      execFileSync('cp', [file, `${file}.copy`]);
      renameSync(`${file}.copy`, file);
      await assertAllUnavailable(api, rule);
    } finally {
      await service.stop();
      rmSync(service.dataDir, { recursive: true, force: true });
    }
  });

  test('a read-only database: writes 503 and /healthz fails while reads go on; back to normal once writable', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'collections-ro-'));
    // Permissions do not bind root: the service runs as an unprivileged user then.
    const user = root ? { uid: 65534, gid: 65534 } : {};
    if (root) chownSync(dataDir, 65534, 65534);
    const child = await startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'app.db')}`, LOG_LEVEL: 'warn' }, user);
    try {
      const api = new Api(child.url, readFileSync(path.join(dataDir, 'bootstrap-key'), 'utf8').trim());
      const rule = await api.create(RR, { priority: 1 });
      chmodSync(path.join(dataDir, 'app.db'), 0o444);
      chmodSync(dataDir, 0o555);
      assertUnavailable(await api.post(RR, { priority: 2 }), 'create');
      assertUnavailable(await api.patch(`${RR}/${rule.id}`, { priority: 2 }), 'patch');
      assertUnavailable(await api.get('/healthz'), 'health');
      assert.equal((await api.get(`${RR}/${rule.id}`)).body.priority, 1, 'reads still work');

      chmodSync(dataDir, 0o700);
      chmodSync(path.join(dataDir, 'app.db'), 0o600);
      // Health stays down a moment after a fault, then the store serves writes again.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      assert.equal((await api.get('/healthz')).status, 200);
      assert.equal((await api.patch(`${RR}/${rule.id}`, { priority: 2 })).status, 200);
    } finally {
      child.process.kill('SIGKILL');
      await child.exited;
      chmodSync(dataDir, 0o700);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a full disk: writes 503, never 500, /healthz fails, reads go on; writes resume once there is room', async (t) => {
    const disk = smallDisk('4m');
    if (!disk) return t.skip('needs root to mount a small tmpfs');
    const dataDir = path.join(disk, 'data');
    let service;
    try {
      service = await startTestService({}, dataDir);
      const api = new Api(service.url, service.key);
      const kept = await api.create(RR, { priority: 1 });
      // Leave a little room, then fill it with large rules.
      const { bavail, bsize } = statfsSync(disk);
      writeFileSync(path.join(disk, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - 300 * 1024)));
      const comment = 'c'.repeat(4096);
      const statuses = new Set<number>();
      for (let i = 0; i < 400 && !statuses.has(503); i++) {
        const reply = await api.post(IP, { type: 'fill', opts: { comment } });
        statuses.add(reply.status);
        if (reply.status === 503) assert.equal(reply.body.error_code, UNAVAILABLE);
      }
      assert.deepEqual([...statuses].sort(), [200, 503], 'writes succeed until the disk is full, then get 503');
      assertUnavailable(await api.get('/healthz'), 'health on a full disk');
      assert.equal((await api.get(`${RR}/${kept.id}`)).status, 200, 'reads still work');

      rmSync(path.join(disk, 'filler'));
      await new Promise((resolve) => setTimeout(resolve, 2100));
      assert.equal((await api.get('/healthz')).status, 200);
      assert.equal((await api.post(RR, { priority: 5 })).status, 200);
    } finally {
      await service?.stop();
      execFileSync('umount', [disk]);
      rmSync(disk, { recursive: true, force: true });
    }
  });

  test('a data directory the service creates is 0700; the database, its WAL files and the key file are 0600', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'collections-modes-'));
    const dataDir = path.join(parent, 'nested', 'data');
    const service = await startTestService({}, dataDir);
    try {
      await new Api(service.url, service.key).create(RR, { priority: 1 });
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      for (const file of ['app.db', 'app.db-wal', 'app.db-shm', 'bootstrap-key']) {
        assert.ok(existsSync(path.join(dataDir, file)), file);
        assert.equal(statSync(path.join(dataDir, file)).mode & 0o777, 0o600, file);
      }
    } finally {
      await service.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
