/**
 * npm run bench: throughput and latency of the service against baselines
 * measured in the same run, at several data scales. Prints a table and
 * writes bench/results/bench-<time>.json.
 *
 * BENCH_DURATION (s, default 5), BENCH_SCALES (default 10000,100000,1000000),
 * BENCH_CONNECTIONS (default 10), BENCH_DRIVER (wrk, the default, or
 * autocannon; LOOKUP is always autocannon's), BENCH_WRK_THREADS (default 1),
 * BENCH_CPU_PROF=1 (service CPU profiles into bench/results/profiles),
 * BENCH_WORKERS (default 2: the service with WORKERS=n is also measured at
 * the first scale; 1 skips it), BENCH_POSTGRES_URL (a database to measure
 * the PostgreSQL store in, at the first scale, in a schema of its own that
 * is dropped afterwards), BENCH_PG_POOL_SIZE (default 10), BENCH_PG_POOL_SIZES
 * (further pool sizes for one node's GET one and POST, default 2,4,20), BENCH_PARTS
 * (default crud,decisions), BENCH_DECISION_SCALES (rules in one domain,
 * default 1000,10000,100000), BENCH_DECISION_RATE (the fixed offered rate at
 * which decisions' latency is measured, default 10000/s).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { BOOTSTRAP_DOMAIN } from '../src/auth/api-keys.js';
import { roundRobin } from './round-robin.js';
import { runLoad, THINK_MS, type Driver, type Load } from './load.js';
import { treeCpuSeconds } from './process-cpu.js';
import { freePort } from './ports.js';
import { decisionCalls } from './decision-data.js';
import { seed, seedDecisions, type Seeded } from './seed.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
// BENCH_SCALES=none measures the baselines only (the edge's own cost among them).
const SCALES = (process.env.BENCH_SCALES ?? '10000,100000,1000000').split(',').filter((scale) => scale !== 'none').map(Number);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const DRIVER = (process.env.BENCH_DRIVER ?? 'wrk') as Driver;
const WRK_THREADS = Number(process.env.BENCH_WRK_THREADS ?? 1);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL;
const PG_POOL_SIZE = process.env.BENCH_PG_POOL_SIZE ?? '10';
// Further pool sizes the one-node service is measured with (GET one and POST), for the choice of the default.
const PG_POOL_SIZES = (process.env.BENCH_PG_POOL_SIZES ?? '2,4,20').split(',').filter((size) => size !== '' && size !== PG_POOL_SIZE);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'crud,decisions').split(','));
const DECISION_SCALES = (process.env.BENCH_DECISION_SCALES ?? '1000,10000,100000').split(',').map(Number);
const DECISION_RATE = Number(process.env.BENCH_DECISION_RATE ?? 10_000);
const DECISIONS = '/rest/v1/uc/recording_decisions';
/** Operations of the decisions part that measure the machine, not the service. */
const FLOOR = 'floor:';
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const resultsDir = path.join(root, 'bench/results');
const RR = '/rest/v1/uc/recordrules';
const IP = '/rest/v1/service/integration_points';

interface Measurement {
  target: string;
  operation: string;
  scale: number | null;
  /** The load generator that produced this figure. */
  driver: Driver;
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU time (user + system, all its processes) per request, in microseconds. */
  cpuUs: number;
  errors: number;
}

interface Server {
  port: number;
  process: ChildProcess;
  /** Further server processes behind the same port (nodes behind a balancer). */
  others?: ChildProcess[];
}

/** A baseline server script that prints {"port": n} when it listens. */
async function startBaseline(script: string, args: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [path.join(here, 'servers', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()).port));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { port, process: child };
}

/** The service on a seeded data directory, logging warnings only (as a busy production node would). */
async function startService(dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const flags = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(resultsDir, 'profiles')}`] : [];
  const child = spawn(process.execPath, [...flags, path.join(root, 'dist/src/main.js')], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`http://127.0.0.1:${port}/healthz`).then((reply) => reply.ok, () => false);
    if (ready) return { port, process: child };
    if (attempt > 300) throw new Error('service did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(server: Server): Promise<void> {
  await Promise.all(
    [server.process, ...(server.others ?? [])].map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
}

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** `rate`: offer about that many requests/s (see LoadOptions.rate) instead of saturating the server. */
async function measure(target: string, operation: string, scale: number | null, server: Server, load: Load, rate?: number): Promise<Measurement> {
  const processes = [server.process, ...(server.others ?? [])];
  const cpu = () => processes.reduce((sum, child) => sum + treeCpuSeconds(child.pid!), 0);
  const cpuBefore = cpu();
  const result = await runLoad(load, { port: server.port, connections: CONNECTIONS, durationSeconds: DURATION, driver: DRIVER, wrkThreads: WRK_THREADS, rate });
  const cpuUs = Math.round(((cpu() - cpuBefore) * 1e6) / Math.max(1, result.requests));
  const measurement: Measurement = { target, operation, scale, driver: result.driver, rps: result.rps, p50: result.p50, p99: result.p99, cpuUs, errors: result.errors };
  console.error(`  ${target} ${operation}${scale ? ` @${scale}` : ''} (${result.driver}): ${measurement.rps} req/s, p50 ${measurement.p50} ms, p99 ${measurement.p99} ms, ${cpuUs} us CPU/request${measurement.errors ? `, ${measurement.errors} errors` : ''}`);
  return measurement;
}

function serviceLoads(data: Seeded): Record<string, Load> {
  const headers = { authorization: `Bearer ${data.key}`, 'content-type': 'application/json' };
  const filter = encodeURIComponent('{"dir":"incoming"}');
  const order = encodeURIComponent('["priority"]');
  return {
    'GET one': { method: 'GET', headers, path: `${RR}/`, ids: data.ruleIds },
    'GET list (limit 100, filter + order)': { method: 'GET', headers, path: `${RR}?limit=100&filter=${filter}&order=${order}` },
    POST: { method: 'POST', path: RR, headers, body: 'random priority' },
    PATCH: { method: 'PATCH', headers, path: `${RR}/`, ids: data.ruleIds, body: 'random priority' },
    'LOOKUP by token_local': { method: 'LOOKUP', path: IP, headers, body: { oneStringOf: data.tokens } },
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 || i === 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

/**
 * The PostgreSQL store at one scale: the ceiling (bare Fastify + one pg
 * primary-key query, with and without a prepared statement), one node, and
 * two nodes on the same database behind a round-robin balancer.
 */
async function measurePostgres(dataDir: string, scale: number): Promise<Measurement[]> {
  const url = new URL(POSTGRES_URL!);
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  url.searchParams.set('schema', schema);
  const databaseUrl = url.toString();
  const results: Measurement[] = [];
  console.error(`PostgreSQL store at ${scale} recordrules and ${scale} integration points (schema ${schema}, pool ${PG_POOL_SIZE})`);
  try {
    const data = await seed(dataDir, scale, databaseUrl);
    for (const statements of ['unnamed', 'named']) {
      const ceiling = await startBaseline('fastify-pg.js', [databaseUrl, 'recordrules', BOOTSTRAP_DOMAIN, PG_POOL_SIZE, statements]);
      results.push(await measure(`fastify+pg${statements === 'named' ? ' (prepared)' : ''}`, 'GET one', scale, ceiling, { method: 'GET', path: '/recordrules/', ids: data.ruleIds }));
      await stop(ceiling);
    }
    const env = { DATABASE_URL: databaseUrl, PG_POOL_SIZE };
    const loads = serviceLoads(data);
    const one = await startService(dataDir, env);
    for (const [operation, load] of Object.entries(loads)) results.push(await measure('service on pg', operation, scale, one, load));
    // The balancer runs in this process and costs CPU too: one node behind it is the fair comparison for two.
    const alone = await roundRobin([one.port]);
    const behind: Server = { port: alone.port, process: one.process };
    for (const operation of ['GET one', 'POST', 'PATCH', 'LOOKUP by token_local']) results.push(await measure('service on pg, 1 node balanced', operation, scale, behind, loads[operation]));
    await alone.close();
    const other = await startService(dataDir, env);
    const balancer = await roundRobin([one.port, other.port]);
    const both: Server = { port: balancer.port, process: one.process, others: [other.process] };
    for (const operation of ['GET one', 'POST', 'PATCH', 'LOOKUP by token_local']) results.push(await measure('service on pg, 2 nodes', operation, scale, both, loads[operation]));
    await balancer.close();
    await stop(both);
    if (WORKERS > 1) {
      const workers = await startService(dataDir, { ...env, WORKERS: String(WORKERS) });
      for (const operation of ['GET one', 'POST', 'LOOKUP by token_local']) results.push(await measure(`service on pg x${WORKERS} workers`, operation, scale, workers, loads[operation]));
      await stop(workers);
    }
    for (const size of PG_POOL_SIZES) {
      const node = await startService(dataDir, { ...env, PG_POOL_SIZE: size });
      for (const operation of ['GET one', 'POST']) results.push(await measure(`service on pg, pool ${size}`, operation, scale, node, loads[operation]));
      await stop(node);
    }
  } finally {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  return results;
}

/** What bench/decisions.ts prints for one scale. */
interface EngineFigures {
  scale: number;
  compileMs: number;
  compiledMB: number;
  mbPer100kRules: number;
  engine: { decisions: number; perSecond: number; p50: number; p99: number; max: number };
  /** The engine with the CPU caches swept before each decision, as between requests. */
  cold: { decisions: number; perSecond: number; p50: number; p99: number; max: number };
  scan: { decisions: number; perSecond: number; p50: number; p99: number; max: number };
  mismatches: number;
}

async function runEngineBench(dataDir: string, scale: number): Promise<EngineFigures> {
  const child = spawn(process.execPath, ['--expose-gc', path.join(here, 'decisions.js'), dataDir, String(scale), String(DURATION * 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`decisions bench exited with ${code}`);
  return JSON.parse(output) as EngineFigures;
}

/** One POST on a connection of its own: the cluster hands each new connection to the next worker. */
function postOnNewConnection(port: number, path: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({ port, host: '127.0.0.1', path, method: 'POST', headers, agent: false }, (reply) => {
      reply.resume();
      reply.once('end', () => resolve(reply.statusCode!));
    });
    request.once('error', reject);
    request.end(body);
  });
}

/** Decisions at each scale: in one process (engine against a SQL scan), then over HTTP. */
async function decisionsBench(work: string, measurements: Measurement[]): Promise<{ engine: EngineFigures[]; memory: Record<string, number> }> {
  const engine: EngineFigures[] = [];
  const memory: Record<string, number> = {};
  const bodies = decisionCalls(BOOTSTRAP_DOMAIN, 10_000).map((call) => JSON.stringify(call));
  // What the machine and the load generator allow any HTTP answer: bare node:http under the same two loads.
  const floor = await startBaseline('node-http.js');
  const hello: Load = { method: 'GET', path: '/' };
  measurements.push(await measure('node:http', `${FLOOR} hello world`, null, floor, hello));
  measurements.push(await measure('node:http', `${FLOOR} hello world at ${DECISION_RATE}/s`, null, floor, hello, DECISION_RATE));
  await stop(floor);
  for (const scale of DECISION_SCALES) {
    console.error(`decisions at ${scale} recordrules in one domain`);
    const dataDir = path.join(work, `decisions-${scale}`);
    const { key } = await seedDecisions(dataDir, scale);
    const figures = await runEngineBench(dataDir, scale);
    engine.push(figures);
    console.error(
      `  engine: ${figures.engine.perSecond} decisions/s, p50 ${figures.engine.p50} ms, p99 ${figures.engine.p99} ms; ` +
        `SQL scan: ${figures.scan.perSecond}/s, p99 ${figures.scan.p99} ms; compiled in ${figures.compileMs} ms, ${figures.compiledMB} MB; mismatches ${figures.mismatches}`,
    );
    const load: Load = { method: 'POST', path: DECISIONS, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: { oneBodyOf: bodies } };
    for (const workers of [1, WORKERS].filter((n, i, all) => all.indexOf(n) === i)) {
      const service = await startService(dataDir, { WORKERS: String(workers) });
      const target = workers === 1 ? 'service' : `service x${workers} workers`;
      // The first decisions compile the domain in each worker: not part of the measurement.
      for (let i = 0; i < 2 * workers; i++) {
        const status = await postOnNewConnection(service.port, DECISIONS, load.headers!, bodies[i]);
        if (status !== 200) throw new Error(`a first decision answered ${status}`);
      }
      measurements.push(await measure(target, 'decision', scale, service, load));
      measurements.push(await measure(target, `decision at ${DECISION_RATE}/s`, scale, service, load, DECISION_RATE));
      if (workers === 1) memory[String(scale)] = Math.round(rssMegabytes(service.process.pid!));
      await stop(service);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { engine, memory };
}

function reportDecisions(engine: EngineFigures[], measurements: Measurement[], memory: Record<string, number>): Target[] {
  const rows = [['rules', 'engine/s', 'p50 ms', 'p99 ms', 'max ms', 'cold p50 ms', 'cold p99 ms', 'SQL scan/s', 'scan p50 ms', 'scan p99 ms', 'x faster', 'compile ms', 'heap MB', 'MB per 100k', 'RSS MB', 'mismatches']];
  for (const figures of engine) {
    rows.push([
      String(figures.scale),
      String(figures.engine.perSecond),
      String(figures.engine.p50),
      String(figures.engine.p99),
      String(figures.engine.max),
      String(figures.cold.p50),
      String(figures.cold.p99),
      String(figures.scan.perSecond),
      String(figures.scan.p50),
      String(figures.scan.p99),
      (figures.engine.perSecond / figures.scan.perSecond).toFixed(0),
      String(figures.compileMs),
      String(figures.compiledMB),
      String(figures.mbPer100kRules),
      String(memory[String(figures.scale)] ?? '-'),
      String(figures.mismatches),
    ]);
  }
  console.log('\nrecording decisions, one domain, in one process (the engine against a SQL scan; cold: CPU caches swept before each decision)');
  console.log(table(rows));
  const http = measurements.filter((m) => m.operation.startsWith('decision') || m.operation.startsWith(FLOOR));
  const httpRows = [['target', 'operation', 'rules', 'load', 'req/s', 'p50 ms', 'p99 ms', 'CPU us/req', 'errors']];
  for (const m of http) httpRows.push([m.target, m.operation, String(m.scale ?? '-'), m.driver, String(m.rps), String(m.p50), String(m.p99), String(m.cpuUs), String(m.errors)]);
  console.log(`\nrecording decisions over HTTP (saturation: ${CONNECTIONS} connections; fixed rate: wrk connections pausing ${THINK_MS} ms after each answer)`);
  console.log(table(httpRows));
  const largest = engine[engine.length - 1];
  const best = (operation: string) => http.filter((m) => m.operation === operation && m.scale === largest.scale).sort((a, b) => b.rps - a.rps)[0];
  const saturated = best('decision');
  const paced = http.filter((m) => m.operation === `decision at ${DECISION_RATE}/s` && m.scale === largest.scale).sort((a, b) => a.p99 - b.p99)[0];
  const floorPaced = http.find((m) => m.operation === `${FLOOR} hello world at ${DECISION_RATE}/s`);
  const floorSaturated = http.find((m) => m.operation === `${FLOOR} hello world`);
  return [
    [`decision p99 < 1 ms at ${largest.scale} rules (engine)`, largest.engine.p99 < 1, `${largest.engine.p99} ms`],
    [`decision p99 < 1 ms at ${largest.scale} rules (engine, caches cold)`, largest.cold.p99 < 1, `${largest.cold.p99} ms`],
    [`>= 10,000 decisions/s at ${largest.scale} rules (engine)`, largest.engine.perSecond >= 10_000, `${largest.engine.perSecond}/s`],
    [
      `>= 10,000 decisions/s at ${largest.scale} rules (HTTP, saturation)`,
      (saturated?.rps ?? 0) >= 10_000,
      `${saturated?.rps} req/s (${saturated?.target}); bare node:http hello world ${floorSaturated?.rps} req/s`,
    ],
    [
      `decision p99 < 1 ms at ${largest.scale} rules (HTTP, ${DECISION_RATE}/s offered)`,
      (paced?.p99 ?? Infinity) < 1 && (paced?.rps ?? 0) >= 0.95 * DECISION_RATE,
      `${paced?.p99} ms at ${paced?.rps} req/s (${paced?.target}); bare node:http hello world under the same load: ${floorPaced?.p99} ms at ${floorPaced?.rps} req/s`,
    ],
    [`index and SQL scan agree`, engine.every((figures) => figures.mismatches === 0), `${engine.reduce((sum, f) => sum + f.mismatches, 0)} mismatches`],
  ];
}

function requireWrk(): void {
  if (DRIVER !== 'wrk') return;
  try {
    execFileSync('wrk', ['-v'], { stdio: 'ignore' });
  } catch (err) {
    // wrk -v exits 1 after printing its version; only a missing program is an error.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('BENCH_DRIVER=wrk needs wrk on PATH (apt-get install wrk), or set BENCH_DRIVER=autocannon');
  }
}

async function main(): Promise<void> {
  requireWrk();
  mkdirSync(resultsDir, { recursive: true });
  const work = mkdtempSync(path.join(tmpdir(), 'collections-bench-'));
  const measurements: Measurement[] = [];
  const memory: Record<string, number> = {};
  let decisions: Awaited<ReturnType<typeof decisionsBench>> | undefined;
  console.error(`load: ${DRIVER}${DRIVER === 'wrk' ? ` (${WRK_THREADS} thread${WRK_THREADS === 1 ? '' : 's'}; LOOKUP by autocannon)` : ''}, ${CONNECTIONS} connections, ${DURATION} s per figure`);
  try {
    if (PARTS.has('crud')) await crudBench(work, measurements, memory);
    if (PARTS.has('decisions')) decisions = await decisionsBench(work, measurements);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  report(measurements, memory, decisions);
}

/** Baselines, then the service at each scale (json-server, the SQLite ceiling, WORKERS and PostgreSQL at the first). */
async function crudBench(work: string, measurements: Measurement[], memory: Record<string, number>): Promise<void> {
  console.error('baselines');
  for (const [name, script] of [['node:http', 'node-http.js'], ['node:http+edge', 'node-http-edge.js'], ['fastify', 'fastify.js']] as const) {
    const server = await startBaseline(script);
    measurements.push(await measure(name, 'hello world', null, server, { method: 'GET', path: '/' }));
    if (name === 'node:http+edge') {
      const lookup: Load = { method: 'LOOKUP', path: '/', headers: { 'content-type': 'application/json' }, body: { fixed: '"a-key-of-some-length-0123456789"' } };
      measurements.push(await measure(name, 'hello world, LOOKUP with a body', null, server, lookup));
    }
    await stop(server);
  }
  if (SCALES.length === 0) return;

  for (const scale of SCALES) {
    console.error(`service at ${scale} recordrules and ${scale} integration points`);
    const dataDir = path.join(work, String(scale));
    const data = await seed(dataDir, scale);
    if (scale === SCALES[0]) {
      // json-server holds its records in memory; it is measured at the smallest scale only.
      const dbFile = path.join(work, 'json-server.json');
      writeFileSync(dbFile, JSON.stringify({ recordrules: data.jsonServerRules }));
      const server = await startBaseline('json-server.js', [dbFile]);
      const ids = data.jsonServerRules.map((rule) => rule.id as string);
      const headers = { 'content-type': 'application/json' };
      const jsonServerLoads: Record<string, Load> = {
        'GET one': { method: 'GET', path: '/recordrules/', ids },
        'GET list (limit 100, filter + order)': { method: 'GET', path: '/recordrules?dir=incoming&_sort=priority&_limit=100' },
        POST: { method: 'POST', path: '/recordrules', headers, body: { fixed: JSON.stringify({ priority: 1 }) } },
        PATCH: { method: 'PATCH', headers, path: '/recordrules/', ids, body: { fixed: JSON.stringify({ priority: 2 }) } },
      };
      for (const [operation, load] of Object.entries(jsonServerLoads)) measurements.push(await measure('json-server', operation, scale, server, load));
      await stop(server);
    }
    // The ceiling for a service reading SQLite per request: the same file, no service around the read;
    // then the same behind the edge, to tell the edge's share of the gap from the rest of the service's.
    for (const [target, front] of [['fastify+sqlite', 'plain'], ['fastify+sqlite+edge', 'edge']] as const) {
      const ceiling = await startBaseline('fastify-sqlite.js', [path.join(dataDir, 'app.db'), 'recordrules', BOOTSTRAP_DOMAIN, front]);
      measurements.push(await measure(target, 'GET one', scale, ceiling, { method: 'GET', path: '/recordrules/', ids: data.ruleIds }));
      await stop(ceiling);
    }
    const service = await startService(dataDir);
    for (const [operation, load] of Object.entries(serviceLoads(data))) measurements.push(await measure('service', operation, scale, service, load));
    memory[String(scale)] = Math.round(rssMegabytes(service.process.pid!));
    await stop(service);
    if (scale === SCALES[0] && WORKERS > 1) {
      const workers = await startService(dataDir, { WORKERS: String(WORKERS) });
      const loads = serviceLoads(data);
      for (const operation of ['GET one', 'POST', 'LOOKUP by token_local']) measurements.push(await measure(`service x${WORKERS} workers`, operation, scale, workers, loads[operation]));
      await stop(workers);
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (scale === SCALES[0] && POSTGRES_URL) measurements.push(...(await measurePostgres(path.join(work, 'pg'), scale)));
  }
}

type Target = readonly [name: string, met: boolean, value: string];

/** Prints the tables and targets of what was measured and writes them to bench/results/. */
function report(measurements: Measurement[], memory: Record<string, number>, decisions: Awaited<ReturnType<typeof decisionsBench>> | undefined): void {
  const targets: Target[] = [];
  if (PARTS.has('crud')) targets.push(...reportCrud(measurements, memory));
  if (decisions) targets.push(...reportDecisions(decisions.engine, measurements, decisions.memory));
  console.log('\ntargets');
  for (const [name, met, value] of targets) console.log(`  ${met ? 'met    ' : 'MISSED '} ${name}: ${value}`);
  write({
    driver: DRIVER,
    wrkThreads: DRIVER === 'wrk' ? WRK_THREADS : undefined,
    duration: DURATION,
    connections: CONNECTIONS,
    scales: PARTS.has('crud') ? SCALES : [],
    decisionScales: decisions ? DECISION_SCALES : [],
    measurements,
    memoryMB: memory,
    decisions: decisions && { engine: decisions.engine, serviceMemoryMB: decisions.memory },
    targets: targets.map(([name, met, value]) => ({ name, met, value })),
  });
}

/** The table of the CRUD part and its targets. */
function reportCrud(measurements: Measurement[], memory: Record<string, number>): Target[] {
  const bare = measurements.find((m) => m.target === 'node:http')!;
  const fastify = measurements.find((m) => m.target === 'fastify')!.rps;
  const ratio = (value: number, base: number) => (value / base).toFixed(2);
  const rows = [['target', 'operation', 'rows', 'load', 'req/s', 'p50 ms', 'p99 ms', 'CPU us/req', 'vs node:http', 'vs fastify', 'errors']];
  for (const m of measurements.filter((m) => !m.operation.startsWith('decision'))) {
    rows.push([m.target, m.operation, m.scale === null ? '-' : String(m.scale), m.driver, String(m.rps), String(m.p50), String(m.p99), String(m.cpuUs), ratio(m.rps, bare.rps), ratio(m.rps, fastify), String(m.errors)]);
  }
  console.log(table(rows));
  // At saturation the server's CPU is the bottleneck, so the difference in time per request is the edge's cost.
  const edge = measurements.find((m) => m.target === 'node:http+edge' && m.operation === 'hello world')!;
  console.log(
    `\nthe edge's cost per request (node:http behind the edge vs bare, ${CONNECTIONS} connections): ` +
      `${edge.cpuUs - bare.cpuUs} us of server CPU (${edge.cpuUs} against ${bare.cpuUs}); ${(1e6 / edge.rps - 1e6 / bare.rps).toFixed(1)} us of wall time at saturation`,
  );
  if (SCALES.length === 0) return [];

  const at = (operation: string, scale: number) => measurements.find((m) => m.target === 'service' && m.operation === operation && m.scale === scale);
  const first = SCALES[0];
  const largest = SCALES[SCALES.length - 1];
  console.log('\ngrowth of p99 latency with data (x the smallest scale)');
  for (const operation of ['GET list (limit 100, filter + order)', 'LOOKUP by token_local', 'GET one']) {
    console.log(`  ${operation}: ${SCALES.map((scale) => `${scale}: ${at(operation, scale)!.p99} ms (x${ratio(at(operation, scale)!.p99 || 1, at(operation, first)!.p99 || 1)})`).join(', ')}`);
  }
  console.log(`\nservice RSS after the run: ${Object.entries(memory).map(([scale, mb]) => `${scale} rows: ${mb} MB`).join(', ')}`);

  const ceilingAt = (scale: number, target = 'fastify+sqlite') => measurements.find((m) => m.target === target && m.scale === scale)!;
  return [
    ...SCALES.map((scale): Target => {
      const getOne = at('GET one', scale)!;
      const ceiling = ceilingAt(scale);
      const behindEdge = ceilingAt(scale, 'fastify+sqlite+edge');
      return [
        `GET one >= 0.8 of Fastify + one SQLite read at ${scale}`,
        getOne.rps / ceiling.rps >= 0.8,
        `${ratio(getOne.rps, ceiling.rps)} (${getOne.cpuUs} against ${ceiling.cpuUs} us CPU/request: ${ratio(ceiling.cpuUs, getOne.cpuUs)}); ` +
          `the ceiling behind the edge ${ratio(behindEdge.rps, ceiling.rps)} of it (${behindEdge.cpuUs} us), the service ${ratio(getOne.rps, behindEdge.rps)} of that`,
      ];
    }),
    ...pgTargets(measurements),
    [`list p99 < 20 ms at ${largest}`, at('GET list (limit 100, filter + order)', largest)!.p99 < 20, `${at('GET list (limit 100, filter + order)', largest)!.p99} ms`],
    [`LOOKUP p99 < 5 ms at ${largest}`, at('LOOKUP by token_local', largest)!.p99 < 5, `${at('LOOKUP by token_local', largest)!.p99} ms`],
    [`POST >= 3000 req/s (durable)`, at('POST', largest)!.rps >= 3000, `${at('POST', largest)!.rps} req/s`],
  ];
}

function pgTargets(measurements: Measurement[]): Target[] {
  const find = (target: string, operation: string) => measurements.find((m) => m.target === target && m.operation === operation);
  const ceiling = find('fastify+pg (prepared)', 'GET one');
  const one = find('service on pg', 'GET one');
  const two = find('service on pg, 2 nodes', 'GET one');
  const balanced = find('service on pg, 1 node balanced', 'GET one');
  if (!ceiling || !one || !two || !balanced) return [];
  return [
    [`pg GET one >= 0.8 of Fastify + one prepared pg query`, one.rps / ceiling.rps >= 0.8, `${(one.rps / ceiling.rps).toFixed(2)} (${one.cpuUs} against ${ceiling.cpuUs} us CPU/request)`],
    [`pg GET one, 2 nodes vs 1, both behind the balancer (same 2 cores)`, two.rps >= balanced.rps, `${(two.rps / balanced.rps).toFixed(2)}`],
  ];
}

function write(results: object): void {
  const file = path.join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(`\nwritten ${path.relative(root, file)}`);
}

await main();
