/**
 * Load generators for the bench: wrk (a C program in a process of its own:
 * it leaves the server more of a small machine than a generator running in
 * Node does) and autocannon (in this process). wrk refuses methods outside
 * its own table, so a LOOKUP is always driven by autocannon; every result
 * says which generator produced it.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

// autocannon builds requests only for the methods in its own table; LOOKUP is the point of this service.
createRequire(import.meta.url)('autocannon/lib/httpMethods.js').push('LOOKUP');

export type Driver = 'wrk' | 'autocannon';

/** Methods wrk sends; anything else goes to autocannon. */
const WRK_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** One request shape, with what varies per request. */
export interface Load {
  method: string;
  /** The path, or its prefix when `ids` is given. */
  path: string;
  /** A random one is appended to `path` on every request. */
  ids?: readonly string[];
  headers?: Record<string, string>;
  /**
   * A fixed body, or a random `{"priority":n}` per request, or a random one of
   * these JSON strings (each sent as a JSON string), or a random one of these
   * bodies (each sent as it is, one line each).
   */
  body?: { fixed: string } | 'random priority' | { oneStringOf: readonly string[] } | { oneBodyOf: readonly string[] };
}

export interface LoadResult {
  driver: Driver;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface LoadOptions {
  port: number;
  connections: number;
  durationSeconds: number;
  /** The generator asked for; a load wrk cannot send goes to autocannon. */
  driver: Driver;
  wrkThreads: number;
  /**
   * Offer about this many requests/s instead of as many as the server takes:
   * wrk with each connection pausing THINK_MS after every response, and
   * 1.05 × rate × THINK_MS connections. Below saturation the rate holds and the
   * latency is the server's, not time spent queueing (autocannon's
   * overallRate is no fit: it sends each second's quota as fast as it can,
   * then waits for the next second).
   */
  rate?: number;
}

/** The pause of each connection after a response, at a fixed offered rate. */
export const THINK_MS = 10;

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)];
const wrkScript = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../bench/wrk/request.lua');

export function driverFor(load: Load, options: Pick<LoadOptions, 'driver' | 'rate'>): Driver {
  if (!WRK_METHODS.has(load.method) || (load.body && typeof load.body === 'object' && 'oneStringOf' in load.body)) {
    if (options.rate) throw new Error(`a fixed rate needs wrk, which cannot send ${load.method} with these bodies`);
    return 'autocannon';
  }
  return options.driver === 'wrk' || options.rate ? 'wrk' : 'autocannon';
}

export async function runLoad(load: Load, options: LoadOptions): Promise<LoadResult> {
  return driverFor(load, options) === 'wrk' ? runWrk(load, options) : runAutocannon(load, options);
}

function bodyOf(load: Load): string | undefined {
  const body = load.body;
  if (body === undefined) return undefined;
  if (body === 'random priority') return JSON.stringify({ priority: Math.floor(Math.random() * 1000) });
  if ('fixed' in body) return body.fixed;
  if ('oneBodyOf' in body) return pick(body.oneBodyOf);
  return JSON.stringify(pick(body.oneStringOf));
}

async function runAutocannon(load: Load, { port, connections, durationSeconds }: LoadOptions): Promise<LoadResult> {
  const varies = load.ids !== undefined || (load.body !== undefined && !(typeof load.body === 'object' && 'fixed' in load.body));
  const request: autocannon.Request = {
    method: load.method as 'GET',
    path: load.path,
    headers: load.headers,
    body: bodyOf(load),
    ...(varies && { setupRequest: (req) => ({ ...req, path: load.ids ? load.path + pick(load.ids) : load.path, body: bodyOf(load) }) }),
  };
  // autocannon's own percentiles are whole milliseconds; each response's time comes with its fraction.
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: `http://127.0.0.1:${port}`, connections, duration: durationSeconds, requests: [request] }, (err, done) => (err ? reject(err) : resolve(done)));
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => (sorted.length === 0 ? NaN : Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2)));
  return {
    driver: 'autocannon',
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: at(0.5),
    p99: at(0.99),
    errors: result.errors + result.non2xx,
  };
}

/** The body argument of bench/wrk/request.lua: "-", "priority", "@<file of bodies, one a line>" or the body itself. */
function wrkBody(load: Load, work: string): string {
  const body = load.body;
  if (body === undefined) return '-';
  if (body === 'random priority') return 'priority';
  if ('oneBodyOf' in body) {
    const file = path.join(work, 'bodies');
    writeFileSync(file, body.oneBodyOf.join('\n'));
    return `@${file}`;
  }
  return (body as { fixed: string }).fixed;
}

async function runWrk(load: Load, { port, connections, durationSeconds, wrkThreads, rate }: LoadOptions): Promise<LoadResult> {
  const work = mkdtempSync(path.join(tmpdir(), 'bench-wrk-'));
  try {
    let ids = '-';
    if (load.ids) writeFileSync((ids = path.join(work, 'ids')), load.ids.join('\n'));
    const headers = Object.entries(load.headers ?? {}).map(([name, value]) => `${name}: ${value}`);
    // 5% more connections than the pause alone needs: each also waits for its answers.
    const opened = rate ? Math.max(1, Math.round((1.05 * rate * THINK_MS) / 1000)) : connections;
    const args = ['-t', String(Math.min(wrkThreads, opened)), '-c', String(opened), '-d', `${durationSeconds}s`, '-s', wrkScript, `http://127.0.0.1:${port}`, '--'];
    args.push(load.method, load.path, ids, wrkBody(load, work), ...headers);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('wrk', args, { env: { ...process.env, WRK_PAUSE_MS: String(rate ? THINK_MS : 0) } }, (err, out, errOut) => (err ? reject(new Error(`wrk failed: ${errOut || err.message}`)) : resolve(out))),
    );
    const line = /^wrk-result (.*)$/m.exec(stdout);
    if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
    const result = JSON.parse(line[1]) as { requests: number; duration_us: number; non2xx: number; errors: number; p50_us: number; p99_us: number };
    return {
      driver: 'wrk',
      requests: result.requests,
      rps: Math.round(result.requests / (result.duration_us / 1e6)),
      // Milliseconds, as autocannon reports them (wrk measures in microseconds).
      p50: Math.round(result.p50_us / 100) / 10,
      p99: Math.round(result.p99_us / 100) / 10,
      errors: result.errors + result.non2xx,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
