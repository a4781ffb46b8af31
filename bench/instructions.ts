/**
 * npm run bench:instructions: user-space instructions per GET one for each
 * layer, counted by valgrind's callgrind (Debian package `valgrind`) rather
 * than timed. Requests/s and CPU time on this shared machine move by up to
 * 3x between minutes; an instruction count does not, so the layers can be
 * told apart by small amounts and compared between trees. Kernel work (the
 * socket write that wakes the client, a fifth to a third of a request's CPU)
 * is not counted, and is about the same for every layer here.
 *
 * Layers: bare Fastify + one SQLite primary-key read (the ceiling), the same
 * behind the edge, and the service. Each runs under callgrind on the same
 * 10k-row data set, is warmed with INSTR_WARMUP requests, then counted
 * over INSTR_REQUESTS (default 2000) requests of random ids on two
 * keep-alive connections.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOTSTRAP_DOMAIN } from '../src/auth/api-keys.js';
import { seed } from './seed.js';
import { freePort } from './ports.js';

const WARMUP = Number(process.env.INSTR_WARMUP ?? 3000);
const REQUESTS = Number(process.env.INSTR_REQUESTS ?? 2000);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

interface Layer {
  name: string;
  args: (dataDir: string, port: number) => string[];
  env?: (dataDir: string, port: number) => Record<string, string>;
  path: string;
  /** Whether the server prints {"port": n} rather than listening on PORT. */
  printsPort: boolean;
  /** Whether requests carry the API key. */
  keyed: boolean;
}

/** `count` GETs, two at a time on two keep-alive connections; throws on any answer but 200. */
async function requests(port: number, count: number, prefix: string, ids: string[], key?: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const headers = key ? { authorization: `Bearer ${key}` } : {};
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      http
        .get({ port, host: '127.0.0.1', path: prefix + ids[i % ids.length], agent, headers }, (reply) => {
          reply.resume();
          reply.once('end', () => (reply.statusCode === 200 ? resolve() : reject(new Error(`answered ${reply.statusCode}`))));
        })
        .once('error', reject);
    });
  for (let i = 0; i < count; i += 2) await Promise.all([one(i), one(i + 1)]);
  agent.destroy();
}

async function waitFor(port: number): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('server did not start under valgrind');
}

/** Instructions per request in `layer`, between a zeroing and a dump of callgrind's counters. */
async function count(layer: Layer, dataDir: string, ids: string[], key: string): Promise<number> {
  const work = mkdtempSync(path.join(tmpdir(), 'callgrind-'));
  const out = path.join(work, 'callgrind.out');
  let port = await freePort();
  const child: ChildProcess = spawn('valgrind', ['-q', '--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...layer.args(dataDir, port)], {
    env: { ...process.env, ...layer.env?.(dataDir, port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    if (layer.printsPort) port = await new Promise<number>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()).port)));
    else child.stdout!.resume();
    await waitFor(port);
    const withKey = layer.keyed ? key : undefined;
    await requests(port, WARMUP, layer.path, ids, withKey);
    execFileSync('callgrind_control', ['--zero', String(child.pid)], { stdio: 'ignore' });
    await requests(port, REQUESTS, layer.path, ids, withKey);
    execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' });
    const dump = readdirSync(work).find((file) => file !== 'callgrind.out' && file.startsWith('callgrind.out'));
    if (!dump) throw new Error('callgrind wrote no dump');
    const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(path.join(work, dump), 'utf8'));
    return Math.round(Number(totals![1]) / REQUESTS);
  } finally {
    child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}

const ceiling = (front: string[]): Layer['args'] => (dataDir) => [path.join(here, 'servers/fastify-sqlite.js'), path.join(dataDir, 'app.db'), 'recordrules', BOOTSTRAP_DOMAIN, ...front];
const layers: Layer[] = [
  { name: 'fastify+sqlite', args: ceiling([]), path: '/recordrules/', printsPort: true, keyed: false },
  { name: 'fastify+sqlite+edge', args: ceiling(['edge']), path: '/recordrules/', printsPort: true, keyed: false },
  {
    name: 'service',
    args: () => [path.join(root, 'dist/src/main.js')],
    env: (dataDir, port) => ({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
    path: '/rest/v1/uc/recordrules/',
    printsPort: false,
    keyed: true,
  },
];

const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-instructions-'));
try {
  const data = await seed(dataDir, 10_000);
  const figures: Array<[string, number]> = [];
  for (const layer of layers) {
    const perRequest = await count(layer, dataDir, data.ruleIds, data.key);
    console.error(`  ${layer.name}: ${perRequest} instructions/request`);
    figures.push([layer.name, perRequest]);
  }
  const [base] = figures;
  console.log(`GET one, 10000 rows, ${REQUESTS} requests after ${WARMUP}, user-space instructions (callgrind)`);
  for (const [name, perRequest] of figures) console.log(`${name.padEnd(22)} ${String(perRequest).padStart(8)}  ceiling/this ${(base[1] / perRequest).toFixed(2)}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
