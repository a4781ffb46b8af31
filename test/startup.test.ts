// What a person starting the service sees: on a terminal one line with the
// URL, the docs and the key; JSON lines otherwise; a start that cannot work
// stops with one sentence naming the setting to change, and exit code 1;
// SIGTERM and SIGINT say that the service is stopping and when it stopped.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadCollections } from '../src/collections/registry.js';
import { openStore } from '../src/store/open.js';
import { runServiceToExit, startServiceProcess } from './support/process.js';
import { Api, NEEDS_POSTGRES, onPostgres, postgresUrl } from './support/service.js';

const entryPoint = new URL('../src/main.js', import.meta.url).pathname;
const repository = new URL('../..', import.meta.url).pathname;

// File permissions do not bind root, so as root the service runs as "nobody" where they matter.
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const unprivileged = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
const unprivilegedCanRun =
  !asRoot ||
  spawnSync(process.execPath, ['-e', `require('fs').readFileSync(${JSON.stringify(entryPoint)}); require('fs').readdirSync(${JSON.stringify(path.join(repository, 'node_modules/pino-pretty'))})`], unprivileged).status === 0;
const permissionTests = { skip: !unprivilegedCanRun && 'the checkout is not readable by an unprivileged user, who is needed to show permission failures as root' };

const directories: string[] = [];
after(() => directories.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A fresh directory the service's user may write. */
function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'collections-start-'));
  directories.push(dir);
  if (asRoot) chownSync(dir, NOBODY, NOBODY);
  return dir;
}

/** The embedded store under `dir`, whatever store the suite runs on. */
const embedded = (dir: string) => ({ DATA_DIR: dir, DATABASE_URL: '', BOOTSTRAP_KEY_FILE: '' });

async function occupiedPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function assertFails(env: Record<string, string>, sentence: string, user = {}): Promise<void> {
  const { code, stderr } = await runServiceToExit(env, user);
  assert.equal(stderr, `${sentence}\n`);
  assert.equal(code, 1);
}

describe('start-up failures: one sentence and exit code 1', () => {
  test('the port is already in use', async () => {
    const taken = await occupiedPort();
    try {
      await assertFails(
        { ...embedded(workDir()), HOST: '127.0.0.1', PORT: String(taken.port) },
        `Cannot listen on 127.0.0.1:${taken.port}: the port is already in use; set PORT to a free port (PORT=0 picks one) or HOST to another address.`,
      );
    } finally {
      await taken.close();
    }
  });

  test('HOST is not an address of this machine', async () => {
    // 192.0.2.0/24 is reserved for documentation: never a local address.
    await assertFails(
      { ...embedded(workDir()), HOST: '192.0.2.1', PORT: '8080' },
      'Cannot listen on 192.0.2.1:8080: 192.0.2.1 is not an address of this machine; set HOST to one (127.0.0.1 for this machine only, 0.0.0.0 for every interface).',
    );
  });

  test('DATA_DIR is not writable', permissionTests, async () => {
    const dir = path.join(workDir(), 'data');
    mkdirSync(dir, { mode: 0o555 });
    if (asRoot) chownSync(dir, NOBODY, NOBODY);
    await assertFails(
      embedded(dir),
      `The data directory ${dir} is not writable by this user (SQLite keeps the database and its journal there); set DATA_DIR to a directory this user can write.`,
      unprivileged,
    );
  });

  test('DATA_DIR cannot be created', permissionTests, async () => {
    const parent = path.join(workDir(), 'locked');
    mkdirSync(parent, { mode: 0o555 });
    await assertFails(
      embedded(path.join(parent, 'data')),
      `Cannot create the data directory ${path.join(parent, 'data')} (permission denied); set DATA_DIR to a directory this user can write.`,
      unprivileged,
    );
  });

  test('DATA_DIR runs through a file', async () => {
    const file = path.join(workDir(), 'file');
    writeFileSync(file, '');
    await assertFails(
      embedded(path.join(file, 'data')),
      `Cannot create the data directory ${path.join(file, 'data')} (a part of the path is a file, not a directory); set DATA_DIR to a directory this user can write.`,
    );
  });

  describe('a database this user may only read', permissionTests, () => {
    async function readOnlyDatabase(): Promise<string> {
      const dir = workDir();
      const file = path.join(dir, 'app.db');
      const store = openStore(`sqlite:${file}`);
      await store.prepare(await loadCollections());
      await store.close();
      if (asRoot) for (const name of readdirSync(dir)) chownSync(path.join(dir, name), NOBODY, NOBODY);
      chmodSync(file, 0o444);
      return dir;
    }

    test('named by DATA_DIR', async () => {
      const dir = await readOnlyDatabase();
      await assertFails(
        embedded(dir),
        `The database file ${path.join(dir, 'app.db')} is read-only for this user; make it writable, or set DATA_DIR to a directory this user can write.`,
        unprivileged,
      );
    });

    test('named by DATABASE_URL', async () => {
      const dir = await readOnlyDatabase();
      await assertFails(
        { DATABASE_URL: `sqlite:${path.join(dir, 'app.db')}`, BOOTSTRAP_KEY_FILE: path.join(dir, 'key') },
        `The database file ${path.join(dir, 'app.db')} is read-only for this user; make it writable, or set DATABASE_URL to a file in a directory this user can write.`,
        unprivileged,
      );
    });
  });

  test('a database file this user may not read', permissionTests, async () => {
    const dir = workDir();
    const file = path.join(dir, 'app.db');
    writeFileSync(file, '');
    if (asRoot) chownSync(file, 0, 0);
    chmodSync(file, 0o600);
    if (!asRoot) chmodSync(file, 0o000);
    await assertFails(embedded(dir), `The database file ${file} is not readable by this user; make it readable and writable, or set DATA_DIR to a directory this user can write.`, unprivileged);
  });

  test('a file that is not an SQLite database', async () => {
    const dir = workDir();
    writeFileSync(path.join(dir, 'app.db'), 'not a database, but long enough to have a header '.repeat(4));
    await assertFails(embedded(dir), `The file ${path.join(dir, 'app.db')} is not an SQLite database; move it away, or set DATA_DIR to another directory.`);
  });

  test('the bootstrap key cannot be written, and no key is left behind that nobody has', async () => {
    const dir = workDir();
    writeFileSync(path.join(dir, 'file'), '');
    const keyFile = path.join(dir, 'file', 'key');
    await assertFails(
      { ...embedded(dir), BOOTSTRAP_KEY_FILE: keyFile },
      `Cannot write the bootstrap API key to ${keyFile} (${path.join(dir, 'file')} is a file, not a directory); set BOOTSTRAP_KEY_FILE to a path this user can write.`,
    );
    const started = await startServiceProcess({ ...embedded(dir), BOOTSTRAP_KEY_FILE: path.join(dir, 'key') });
    try {
      const api = new Api(started.url, readFileSync(path.join(dir, 'key'), 'utf8').trim());
      assert.equal((await api.get('/rest/v1/uc/recordrules')).status, 200, 'the next start bootstraps a key, since the store has none');
    } finally {
      started.process.kill('SIGKILL');
      await started.exited;
    }
  });

  test('bad values of settings', async () => {
    const dir = workDir();
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'eighty' }, 'PORT must be an integer from 0 to 65535, got "eighty"; set PORT to one or leave it unset for 8080.'],
      [{ PORT: '65536' }, 'PORT must be an integer from 0 to 65535, got "65536"; set PORT to one or leave it unset for 8080.'],
      [{ BODY_LIMIT: '-1' }, 'BODY_LIMIT must be a non-negative integer, got "-1"; set BODY_LIMIT to one or leave it unset for 1048576.'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "loud"; set LOG_LEVEL to one or leave it unset for info.'],
      [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT must be one of pretty, json, got "xml"; set LOG_FORMAT to one or leave it unset for json.'],
      [
        { DATABASE_URL: 'mysql://app:secret@db/app' },
        'DATABASE_URL must be sqlite:<file> or postgres://user:password@host:port/database, got "mysql://app:***@db/app"; set DATABASE_URL to one or leave it unset for the embedded store under DATA_DIR.',
      ],
      [
        { DATABASE_URL: 'postgres://app@127.0.0.1:5432/app?schema=Not-A-Name' },
        'DATABASE_URL is not a usable PostgreSQL URL (schema "Not-A-Name" must match /^[a-z_][a-z0-9_]{0,62}$/); set it to postgres://user:password@host:port/database[?schema=name].',
      ],
    ];
    for (const [env, sentence] of cases) await assertFails({ ...embedded(dir), ...env }, sentence);
  });

  test('PostgreSQL cannot be reached', async () => {
    const closed = await occupiedPort();
    await closed.close();
    const url = `postgres://app:secret@127.0.0.1:${closed.port}/collections`;
    await assertFails(
      { DATABASE_URL: url },
      `Cannot reach PostgreSQL at postgres://app:***@127.0.0.1:${closed.port}/collections (connect ECONNREFUSED 127.0.0.1:${closed.port}); start the database, or set DATABASE_URL to one that is reachable.`,
    );
  });

  test('PostgreSQL has no such database', { skip: !onPostgres && NEEDS_POSTGRES }, async () => {
    const url = new URL(postgresUrl!);
    url.pathname = '/no_such_database';
    url.search = '';
    const shown = url.toString().replace(/\/\/([^@/:]*):[^@/]*@/, '//$1:***@');
    await assertFails(
      { DATABASE_URL: url.toString() },
      `PostgreSQL at ${shown} has no such database (database "no_such_database" does not exist); create it (createdb), or set DATABASE_URL to an existing one.`,
    );
  });
});

const ESCAPES = /\u001b\[[0-9;]*m/g;

/** A child whose output is collected as it comes, to wait for a line. */
function watch(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const waiters: (() => void)[] = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString().replace(ESCAPES, '').replace(/\r/g, '');
    waiters.forEach((wake) => wake());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 20000);
  void exited.then(() => clearTimeout(deadline));
  return {
    child,
    exited,
    lines: () => output.split('\n').filter(Boolean),
    async waitFor(pattern: RegExp): Promise<RegExpExecArray> {
      for (;;) {
        const found = pattern.exec(output);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`exited before ${pattern}: ${output}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const time = String.raw`\[\d\d:\d\d:\d\d\.\d{3}\]`;

async function assertWelcome(output: ReturnType<typeof watch>, keyFile: string): Promise<number> {
  const [line, port] = await output.waitFor(
    new RegExp(`^${time} INFO: collection-service is serving http://127\\.0\\.0\\.1:(\\d+) \\(API docs http://127\\.0\\.0\\.1:\\1/docs; API key in ${escape(keyFile)}\\); Ctrl-C stops it$`, 'm'),
  );
  assert.ok(line);
  // The line tells the truth: the URL answers with the key in that file.
  const api = new Api(`http://127.0.0.1:${port}`, readFileSync(keyFile, 'utf8').trim());
  assert.equal((await api.get('/rest/v1/uc/recordrules')).status, 200);
  assert.equal((await api.get('/docs/')).status, 200);
  return Number(port);
}

describe('start-up and stop output', () => {
  test('not on a terminal: JSON lines, the listening one with the URL, docs and key file', async () => {
    const dir = workDir();
    const started = await startServiceProcess({ ...embedded(dir), BOOTSTRAP_KEY_FILE: path.join(dir, 'key') });
    started.process.kill('SIGTERM');
    assert.equal(await started.exited, 0);
    const entries = started.logs.filter(Boolean).map((line) => JSON.parse(line));
    const listening = entries.find((entry) => entry.msg === 'listening');
    assert.equal(listening.url, started.url);
    assert.equal(listening.docs, `${started.url}/docs`);
    assert.equal(listening.keyFile, path.join(dir, 'key'));
    const messages = entries.map((entry) => entry.msg);
    assert.deepEqual(messages.slice(-2), ['stopping: no new connections, finishing requests in progress', 'stopped']);
    assert.equal(entries.at(-2).signal, 'SIGTERM');
  });

  test('SIGINT stops in order too, and says so', async () => {
    const started = await startServiceProcess({ ...embedded(workDir()) });
    started.process.kill('SIGINT');
    assert.equal(await started.exited, 0);
    const entries = started.logs.filter(Boolean).map((line) => JSON.parse(line));
    assert.deepEqual(
      entries.slice(-2).map((entry) => [entry.msg, entry.signal]),
      [
        ['stopping: no new connections, finishing requests in progress', 'SIGINT'],
        ['stopped', undefined],
      ],
    );
  });

  test('LOG_FORMAT=pretty: one human line with the URL, the docs and where the key is', async () => {
    const dir = workDir();
    const keyFile = path.join(dir, 'key');
    const output = watch(process.execPath, [entryPoint], { ...embedded(dir), BOOTSTRAP_KEY_FILE: keyFile, PORT: '0', LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
    await assertWelcome(output, keyFile);
    output.child.kill('SIGTERM');
    assert.equal(await output.exited, 0);
    assert.match(output.lines().at(-2)!, new RegExp(`^${time} INFO: stopping: no new connections, finishing requests in progress \\{"signal":"SIGTERM","graceMs":10000\\}$`));
    assert.match(output.lines().at(-1)!, new RegExp(`^${time} INFO: stopped$`));
  });

  const script = spawnSync('script', ['--version']).status === 0;
  test('on a terminal, pretty by default; Ctrl-C stops it', { skip: !script && 'needs script(1) for a pseudo-terminal' }, async () => {
    const dir = workDir();
    const keyFile = path.join(dir, 'key');
    // script(1) runs the service on a pseudo-terminal: stdout is a TTY, and ^C is the terminal's interrupt.
    // It starts the command through $SHELL; `exec` leaves the service alone in the foreground, as a
    // shell that stayed (dash does) would take the ^C itself and end with 130.
    const output = watch('script', ['-qec', `exec ${process.execPath} ${entryPoint}`, '/dev/null'], { ...embedded(dir), SHELL: '/bin/sh', BOOTSTRAP_KEY_FILE: keyFile, PORT: '0', LOG_LEVEL: 'info', LOG_FORMAT: '' });
    await assertWelcome(output, keyFile);
    output.child.stdin.write('\u0003');
    assert.equal(await output.exited, 0);
    assert.ok(output.lines().every((line) => !line.startsWith('{')), 'no JSON on a terminal');
    assert.match(output.lines().at(-2)!, new RegExp(`${time} INFO: stopping: no new connections, finishing requests in progress \\{"signal":"SIGINT","graceMs":10000\\}$`));
    assert.match(output.lines().at(-1)!, new RegExp(`^${time} INFO: stopped$`));
  });
});
