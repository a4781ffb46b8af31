/**
 * Decisions in one process, on a data directory seeded by seedDecisions:
 * the service's engine (compiled, indexed rules) against a baseline that
 * evaluates the same rules by a SQL scan in priority order (its own best
 * index, the direction filtered in SQL, each row compiled and checked as it
 * comes, stopping at the first match). Prints one JSON line.
 *
 *   node --expose-gc dist/bench/decisions.js <data dir> <rules> <ms per side>
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { BOOTSTRAP_DOMAIN } from '../src/auth/api-keys.js';
import { defaultCalendar } from '../src/calendar/document.js';
import { loadCollections } from '../src/collections/registry.js';
import { directionFor, type Call } from '../src/decisions/call.js';
import { DecisionEngine, ruleFieldsOf } from '../src/decisions/engine.js';
import { localTime } from '../src/decisions/local-time.js';
import { subjectOf } from '../src/decisions/mask-matcher.js';
import { compileRule, firstFailing, type CallView, type RuleFields } from '../src/decisions/rule.js';
import { WorkingTime } from '../src/decisions/working-time.js';
import { InProcessChangeFeed } from '../src/events/change-feed.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { decisionCalls } from './decision-data.js';

const [dataDir, scaleText, msText] = process.argv.slice(2);
const scale = Number(scaleText);
const budgetMs = Number(msText);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const file = path.join(dataDir, 'app.db');

interface Timing {
  decisions: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

function summarise(latencies: number[], elapsedMs: number): Timing {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(4));
  return { decisions: latencies.length, perSecond: Math.round((latencies.length / elapsedMs) * 1000), p50: at(0.5), p99: at(0.99), max: at(1) };
}

const calls: Call[] = decisionCalls(BOOTSTRAP_DOMAIN, 50_000).map((call) => ({ ...call, at: Date.parse(call.at) }));
const everywhere = { trace: false, mayDecideIn: () => true };

// The engine, as the service runs it.
const models = await loadCollections();
const rulesModel = models.find((model) => model.name === 'recordrules')!;
const store = new SqliteStore(file);
await store.prepare(models);
gc();
// The heap and the typed arrays' memory outside it (the rule index keeps its tries in typed arrays).
const compiledBytes = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const heapBefore = compiledBytes();
const engine = new DecisionEngine(store, models, new InProcessChangeFeed());
let started = performance.now();
await engine.decide(calls[0], everywhere);
const compileMs = performance.now() - started;
gc();
const compiledMB = (compiledBytes() - heapBefore) / 2 ** 20;
for (let i = 0; i < 5000; i++) await engine.decide(calls[i % calls.length], everywhere);

const engineLatencies: number[] = [];
started = performance.now();
for (let i = 0; performance.now() - started < budgetMs; i++) {
  const begin = performance.now();
  await engine.decide(calls[i % calls.length], everywhere);
  engineLatencies.push(performance.now() - begin);
}
const engineTiming = summarise(engineLatencies, performance.now() - started);

// The same with the CPU caches cold: in a server the request's own work comes
// between two decisions and leaves little of the rules in cache. 8 MiB are
// swept before each decision (more than this machine's caches hold) and not timed.
const sweep = new Float64Array(2 ** 20);
const coldLatencies: number[] = [];
started = performance.now();
for (let i = 0; performance.now() - started < budgetMs; i++) {
  for (let j = 0; j < sweep.length; j += 8) sweep[j] += 1;
  const begin = performance.now();
  await engine.decide(calls[i % calls.length], everywhere);
  coldLatencies.push(performance.now() - begin);
}
const coldTiming = summarise(coldLatencies, coldLatencies.reduce((sum, ms) => sum + ms, 0));

// The baseline: the rules read in priority order for every call.
const db = new DatabaseSync(file);
db.exec('CREATE INDEX IF NOT EXISTS bench_priority_order ON recordrules (domain, priority, ext_ct, id)');
const scan = db.prepare(
  'SELECT id, priority, ext_ct, dir, fromnumber, tonumber, crossdomain, rec, storageruleid, schedule, periods FROM recordrules ' +
    "WHERE domain = ? AND dir IN ('', '*', ?) ORDER BY priority, ext_ct, id",
);
const working = new WorkingTime(defaultCalendar(), []);

function scanDecision(call: Call): string | null {
  const { dir, other } = directionFor(call, BOOTSTRAP_DOMAIN);
  let local: ReturnType<typeof localTime> | undefined;
  const view: CallView = {
    dir,
    from: subjectOf(call.from.number),
    to: subjectOf(call.to.number),
    other: other === undefined ? undefined : subjectOf(other),
    local: () => (local ??= localTime('UTC', call.at)),
    working: () => working.isWorking(view.local()),
  };
  for (const row of scan.iterate(BOOTSTRAP_DOMAIN, dir) as Iterable<Record<string, unknown>>) {
    // The engine's own mapping; only the periods column comes as the JSON text SQLite stores.
    const rule = compileRule(ruleFieldsOf(rulesModel, { ...row, periods: JSON.parse(row.periods as string) }) as RuleFields);
    if (firstFailing(rule, view) === null) return rule.id;
  }
  return null;
}

const scanLatencies: number[] = [];
let mismatches = 0;
started = performance.now();
for (let i = 0; performance.now() - started < budgetMs || i < 20; i++) {
  const call = calls[i % calls.length];
  const begin = performance.now();
  const id = scanDecision(call);
  scanLatencies.push(performance.now() - begin);
  // Both must reach the same rule: the baseline doubles as a check of the index.
  const decided = (await engine.decide(call, everywhere)).domains[0]?.rule?.id ?? null;
  if (decided !== id) mismatches++;
}
const scanTiming = summarise(scanLatencies, scanLatencies.reduce((sum, ms) => sum + ms, 0));
db.close();
engine.close();
await store.close();

console.log(
  JSON.stringify({
    scale,
    compileMs: Math.round(compileMs),
    compiledMB: Number(compiledMB.toFixed(1)),
    mbPer100kRules: Number(((compiledMB * 100_000) / scale).toFixed(1)),
    engine: engineTiming,
    cold: coldTiming,
    scan: scanTiming,
    mismatches,
  }),
);
