/**
 * npm run bench: throughput and latency of the service against baselines
 * measured in the same run, at several data scales. Prints a table and
 * writes bench/results/bench-<time>.json.
 *
 * BENCH_DURATION (s, default 5), BENCH_SCALES (default 10000,100000,1000000),
 * BENCH_CONNECTIONS (default 10), BENCH_CPU_PROF=1 (service CPU profiles
 * into bench/results/profiles), BENCH_PARTS (default crud,decisions),
 * BENCH_DECISION_SCALES (rules in one domain, default 1000,10000,100000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import { BOOTSTRAP_DOMAIN } from '../src/auth/api-keys.js';
import { decisionCalls } from './decision-data.js';
import { seed, seedDecisions, type Seeded } from './seed.js';

// autocannon builds requests only for the methods in its own table; LOOKUP is the point of this service.
createRequire(import.meta.url)('autocannon/lib/httpMethods.js').push('LOOKUP');

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
// BENCH_SCALES=none measures the baselines only (the edge's own cost among them).
const SCALES = (process.env.BENCH_SCALES ?? '10000,100000,1000000').split(',').filter((scale) => scale !== 'none').map(Number);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const PARTS = new Set((process.env.BENCH_PARTS ?? 'crud,decisions').split(','));
const DECISION_SCALES = (process.env.BENCH_DECISION_SCALES ?? '1000,10000,100000').split(',').map(Number);
const DECISIONS = '/rest/v1/uc/recording_decisions';
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const resultsDir = path.join(root, 'bench/results');
const RR = '/rest/v1/uc/recordrules';
const IP = '/rest/v1/service/integration_points';

interface Measurement {
  target: string;
  operation: string;
  scale: number | null;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

interface Server {
  port: number;
  process: ChildProcess;
}

const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
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
async function startService(dataDir: string): Promise<Server> {
  const port = await freePort();
  const flags = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(resultsDir, 'profiles')}`] : [];
  const child = spawn(process.execPath, [...flags, path.join(root, 'dist/src/main.js')], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
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
  server.process.kill('SIGTERM');
  await new Promise((resolve) => server.process.once('exit', resolve));
}

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function measure(target: string, operation: string, scale: number | null, port: number, request: autocannon.Request): Promise<Measurement> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: DURATION, requests: [request] });
  const measurement = { target, operation, scale, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
  console.error(`  ${target} ${operation}${scale ? ` @${scale}` : ''}: ${measurement.rps} req/s, p50 ${measurement.p50} ms, p99 ${measurement.p99} ms${measurement.errors ? `, ${measurement.errors} errors` : ''}`);
  return measurement;
}

function serviceRequests(data: Seeded): Record<string, autocannon.Request> {
  const headers = { authorization: `Bearer ${data.key}`, 'content-type': 'application/json' };
  const filter = encodeURIComponent('{"dir":"incoming"}');
  const order = encodeURIComponent('["priority"]');
  return {
    'GET one': { method: 'GET', headers, setupRequest: (req) => ({ ...req, path: `${RR}/${pick(data.ruleIds)}` }) },
    'GET list (limit 100, filter + order)': { method: 'GET', headers, path: `${RR}?limit=100&filter=${filter}&order=${order}` },
    POST: { method: 'POST', path: RR, headers, setupRequest: (req) => ({ ...req, body: JSON.stringify({ priority: Math.floor(Math.random() * 1000) }) }) },
    PATCH: { method: 'PATCH', headers, setupRequest: (req) => ({ ...req, path: `${RR}/${pick(data.ruleIds)}`, body: JSON.stringify({ priority: Math.floor(Math.random() * 1000) }) }) },
    'LOOKUP by token_local': { method: 'LOOKUP' as 'GET', path: IP, headers, setupRequest: (req) => ({ ...req, body: JSON.stringify(pick(data.tokens)) }) },
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 || i === 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

/** What bench/decisions.ts prints for one scale. */
interface EngineFigures {
  scale: number;
  compileMs: number;
  compiledMB: number;
  mbPer100kRules: number;
  engine: { decisions: number; perSecond: number; p50: number; p99: number; max: number };
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

/** Decisions at each scale: in one process (engine against a SQL scan), then over HTTP. */
async function decisionsBench(work: string, measurements: Measurement[]): Promise<{ engine: EngineFigures[]; memory: Record<string, number> }> {
  const engine: EngineFigures[] = [];
  const memory: Record<string, number> = {};
  const bodies = decisionCalls(BOOTSTRAP_DOMAIN, 10_000).map((call) => JSON.stringify(call));
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
    const service = await startService(dataDir);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    // The first decision compiles the domain: not part of the measurement.
    await fetch(`http://127.0.0.1:${service.port}${DECISIONS}`, { method: 'POST', headers, body: bodies[0] });
    measurements.push(await measure('service', 'decision', scale, service.port, { method: 'POST', path: DECISIONS, headers, setupRequest: (req) => ({ ...req, body: pick(bodies) }) }));
    memory[String(scale)] = Math.round(rssMegabytes(service.process.pid!));
    await stop(service);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { engine, memory };
}

function reportDecisions(engine: EngineFigures[], measurements: Measurement[], memory: Record<string, number>) {
  const rows = [['rules', 'engine/s', 'p50 ms', 'p99 ms', 'max ms', 'SQL scan/s', 'scan p50 ms', 'scan p99 ms', 'x faster', 'HTTP req/s', 'HTTP p99 ms', 'compile ms', 'heap MB', 'MB per 100k', 'RSS MB', 'mismatches']];
  for (const figures of engine) {
    const http = measurements.find((m) => m.operation === 'decision' && m.scale === figures.scale);
    rows.push([
      String(figures.scale),
      String(figures.engine.perSecond),
      String(figures.engine.p50),
      String(figures.engine.p99),
      String(figures.engine.max),
      String(figures.scan.perSecond),
      String(figures.scan.p50),
      String(figures.scan.p99),
      (figures.engine.perSecond / figures.scan.perSecond).toFixed(0),
      String(http?.rps ?? '-'),
      String(http?.p99 ?? '-'),
      String(figures.compileMs),
      String(figures.compiledMB),
      String(figures.mbPer100kRules),
      String(memory[String(figures.scale)] ?? '-'),
      String(figures.mismatches),
    ]);
  }
  console.log(`\nrecording decisions, one domain (engine: in one process; HTTP: the service, ${CONNECTIONS} connections)`);
  console.log(table(rows));
  const largest = engine[engine.length - 1];
  const http = measurements.find((m) => m.operation === 'decision' && m.scale === largest.scale);
  return [
    [`decision p99 < 1 ms at ${largest.scale} rules (engine)`, largest.engine.p99 < 1, `${largest.engine.p99} ms`],
    [`>= 10,000 decisions/s at ${largest.scale} rules (engine)`, largest.engine.perSecond >= 10_000, `${largest.engine.perSecond}/s`],
    [`decision p99 < 1 ms at ${largest.scale} rules (HTTP)`, (http?.p99 ?? Infinity) < 1, `${http?.p99} ms`],
    [`>= 10,000 decisions/s at ${largest.scale} rules (HTTP)`, (http?.rps ?? 0) >= 10_000, `${http?.rps} req/s`],
    [`index and SQL scan agree`, engine.every((figures) => figures.mismatches === 0), `${engine.reduce((sum, f) => sum + f.mismatches, 0)} mismatches`],
  ] as const;
}

async function main(): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  const work = mkdtempSync(path.join(tmpdir(), 'collections-bench-'));
  const measurements: Measurement[] = [];
  const memory: Record<string, number> = {};
  let decisions: Awaited<ReturnType<typeof decisionsBench>> | undefined;
  try {
    if (PARTS.has('crud')) await crudBench(work, measurements, memory);
    if (PARTS.has('decisions')) decisions = await decisionsBench(work, measurements);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  report(measurements, memory, decisions);
}

/** Prints the tables and targets of what was measured and writes them to bench/results/. */
function report(measurements: Measurement[], memory: Record<string, number>, decisions: Awaited<ReturnType<typeof decisionsBench>> | undefined): void {
  const targets: (readonly [string, boolean, string])[] = [];
  if (PARTS.has('crud')) targets.push(...reportCrud(measurements, memory));
  if (decisions) targets.push(...reportDecisions(decisions.engine, measurements, decisions.memory));
  console.log('\ntargets');
  for (const [name, met, value] of targets) console.log(`  ${met ? 'met    ' : 'MISSED '} ${name}: ${value}`);

  const file = path.join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        duration: DURATION,
        connections: CONNECTIONS,
        scales: PARTS.has('crud') ? SCALES : [],
        decisionScales: decisions ? DECISION_SCALES : [],
        measurements,
        memoryMB: memory,
        decisions: decisions && { engine: decisions.engine, serviceMemoryMB: decisions.memory },
        targets: targets.map(([name, met, value]) => ({ name, met, value })),
      },
      null,
      2,
    ),
  );
  console.log(`\nwritten ${path.relative(root, file)}`);
}

async function crudBench(work: string, measurements: Measurement[], memory: Record<string, number>): Promise<void> {
  console.error('baselines');
  for (const [name, script] of [['node:http', 'node-http.js'], ['node:http+edge', 'node-http-edge.js'], ['fastify', 'fastify.js']] as const) {
    const server = await startBaseline(script);
    measurements.push(await measure(name, 'hello world', null, server.port, { method: 'GET', path: '/' }));
    if (name === 'node:http+edge') measurements.push(await measure(name, 'hello world, LOOKUP with a body', null, server.port, { method: 'LOOKUP' as 'GET', path: '/', headers: { 'content-type': 'application/json' }, body: '"a-key-of-some-length-0123456789"' }));
    await stop(server);
  }

  for (const scale of SCALES) {
    console.error(`service at ${scale} recordrules and ${scale} integration points`);
    const dataDir = path.join(work, String(scale));
    const data = await seed(dataDir, scale);
    if (scale === SCALES[0]) {
      // json-server holds its records in memory; it is measured at the smallest scale only.
      const dbFile = path.join(work, 'json-server.json');
      writeFileSync(dbFile, JSON.stringify({ recordrules: data.jsonServerRules }));
      const server = await startBaseline('json-server.js', [dbFile]);
      const id = () => pick(data.jsonServerRules).id;
      const headers = { 'content-type': 'application/json' };
      const jsonServerRequests: Record<string, autocannon.Request> = {
        'GET one': { method: 'GET', setupRequest: (req) => ({ ...req, path: `/recordrules/${id()}` }) },
        'GET list (limit 100, filter + order)': { method: 'GET', path: '/recordrules?dir=incoming&_sort=priority&_limit=100' },
        POST: { method: 'POST', path: '/recordrules', headers, setupRequest: (req) => ({ ...req, body: JSON.stringify({ priority: 1 }) }) },
        PATCH: { method: 'PATCH', headers, setupRequest: (req) => ({ ...req, path: `/recordrules/${id()}`, body: JSON.stringify({ priority: 2 }) }) },
      };
      for (const [operation, request] of Object.entries(jsonServerRequests)) measurements.push(await measure('json-server', operation, scale, server.port, request));
      await stop(server);
    }
    // The ceiling for a service reading SQLite per request: the same file, no service around the read.
    const ceiling = await startBaseline('fastify-sqlite.js', [path.join(dataDir, 'app.db'), 'recordrules', BOOTSTRAP_DOMAIN]);
    measurements.push(await measure('fastify+sqlite', 'GET one', scale, ceiling.port, { method: 'GET', setupRequest: (req) => ({ ...req, path: `/recordrules/${pick(data.ruleIds)}` }) }));
    await stop(ceiling);
    const service = await startService(dataDir);
    for (const [operation, request] of Object.entries(serviceRequests(data))) measurements.push(await measure('service', operation, scale, service.port, request));
    memory[String(scale)] = Math.round(rssMegabytes(service.process.pid!));
    await stop(service);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function reportCrud(measurements: Measurement[], memory: Record<string, number>): (readonly [string, boolean, string])[] {
  const bare = measurements.find((m) => m.target === 'node:http')!.rps;
  const fastify = measurements.find((m) => m.target === 'fastify')!.rps;
  const ratio = (value: number, base: number) => (value / base).toFixed(2);
  const rows = [['target', 'operation', 'rows', 'req/s', 'p50 ms', 'p99 ms', 'vs node:http', 'vs fastify', 'errors']];
  for (const m of measurements.filter((m) => m.operation !== 'decision')) rows.push([m.target, m.operation, m.scale === null ? '-' : String(m.scale), String(m.rps), String(m.p50), String(m.p99), ratio(m.rps, bare), ratio(m.rps, fastify), String(m.errors)]);
  console.log(table(rows));
  // At saturation the server's CPU is the bottleneck, so the difference in time per request is the edge's cost.
  const edge = measurements.find((m) => m.target === 'node:http+edge' && m.operation === 'hello world')!.rps;
  console.log(`\nthe edge's cost per request (node:http behind the edge vs bare, ${CONNECTIONS} connections): ${(1e6 / edge - 1e6 / bare).toFixed(1)} us`);
  if (SCALES.length === 0) return [];

  const at = (operation: string, scale: number) => measurements.find((m) => m.target === 'service' && m.operation === operation && m.scale === scale);
  const first = SCALES[0];
  const largest = SCALES[SCALES.length - 1];
  console.log('\ngrowth of p99 latency with data (x the smallest scale)');
  for (const operation of ['GET list (limit 100, filter + order)', 'LOOKUP by token_local', 'GET one']) {
    console.log(`  ${operation}: ${SCALES.map((scale) => `${scale}: ${at(operation, scale)!.p99} ms (x${ratio(at(operation, scale)!.p99 || 1, at(operation, first)!.p99 || 1)})`).join(', ')}`);
  }
  console.log(`\nservice RSS after the run: ${Object.entries(memory).map(([scale, mb]) => `${scale} rows: ${mb} MB`).join(', ')}`);

  const getOne = at('GET one', largest)!;
  const ceiling = measurements.find((m) => m.target === 'fastify+sqlite' && m.scale === largest)!;
  const targets = [
    [`GET one >= 60% of bare Fastify`, getOne.rps / fastify >= 0.6, `${ratio(getOne.rps, fastify)} (Fastify + one SQLite read, nothing else: ${ratio(ceiling.rps, fastify)})`],
    [`list p99 < 20 ms at ${largest}`, at('GET list (limit 100, filter + order)', largest)!.p99 < 20, `${at('GET list (limit 100, filter + order)', largest)!.p99} ms`],
    [`LOOKUP p99 < 5 ms at ${largest}`, at('LOOKUP by token_local', largest)!.p99 < 5, `${at('LOOKUP by token_local', largest)!.p99} ms`],
    [`POST >= 3000 req/s (durable)`, at('POST', largest)!.rps >= 3000, `${at('POST', largest)!.rps} req/s`],
  ] as const;
  return [...targets];
}

await main();
