/**
 * A realistic mix of recordrules in one domain, and calls to decide, drawn
 * from a seeded generator so every run sees the same data:
 * - 88% number-prefix rules: a city or operator code plus a few digits and
 *   `*` (fromnumber or tonumber), or extension ranges such as `1XX`, `20[0-4]X`;
 * - 8% wildcards: `*789*`, `XXX789*`, `[+]7*`, `?49*`;
 * - 2% schedule rules (work / nonwork) and 2% periods rules (office hours,
 *   nights crossing midnight), with no number condition;
 * directions mostly incoming and outgoing, some "" and inner; 15% rec 0;
 * priorities 0..999; a tenth name one of 20 storagerules.
 */
import { newRow, timestamp, type Row } from '../src/entity/rows.js';
import type { CollectionModel } from '../src/collections/model.js';

/** mulberry32: small, fast and good enough to spread benchmark data. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CODES = ['7495', '7499', '7812', '7343', '7383', '7861', '7903', '7916', '7926', '7985', '1212', '1415', '4420', '4930', '3314'];

export interface DecisionData {
  rules: Row[];
  storagerules: Row[];
}

export function decisionRules(rulesModel: CollectionModel, storageModel: CollectionModel, scale: number, seed = 7): DecisionData {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const digits = (count: number) => Array.from({ length: count }, () => Math.floor(next() * 10)).join('');
  const now = timestamp();
  const storagerules = Array.from({ length: 20 }, (_, i) => newRow(storageModel, { name: `${(i + 1) * 30} days`, expires: (i + 1) * 30 }, now));
  const rules: Row[] = [];
  for (let i = 0; i < scale; i++) {
    const roll = next();
    const body: Record<string, unknown> = {
      priority: Math.floor(next() * 1000),
      dir: pick(['incoming', 'incoming', 'outgoing', 'outgoing', '', 'inner']),
      rec: next() < 0.15 ? 0 : 1,
    };
    if (next() < 0.1) body.storageruleid = pick(storagerules).id;
    if (roll < 0.6) body.fromnumber = `${pick(CODES)}${digits(1 + Math.floor(next() * 4))}*`;
    else if (roll < 0.8) body.tonumber = `${pick(CODES)}${digits(1 + Math.floor(next() * 4))}*`;
    else if (roll < 0.88) body.tonumber = pick([`${digits(1)}XX`, `${digits(2)}[0-4]X`, `${digits(3)}`]);
    else if (roll < 0.96) body.fromnumber = pick([`*${digits(3)}*`, `XXX${digits(3)}*`, '[+]7*', `?${digits(2)}*`]);
    else if (roll < 0.98) body.schedule = pick(['work', 'nonwork']);
    else body.periods = pick([[{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }], [{ from: '22:00', to: '06:00' }], [{ days: [6, 7], from: '10:00', to: '16:00' }]]);
    rules.push(newRow(rulesModel, body, now));
  }
  return { rules, storagerules };
}

export interface BenchCall {
  from: { number: string; domain?: string };
  to: { number: string; domain?: string };
  at: string;
}

/** Calls into and out of the domain: 11-digit numbers of the same codes, extensions, times over a week. */
export function decisionCalls(domain: string, count: number, seed = 11): BenchCall[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
  const external = () => (next() < 0.1 ? `+${pick(CODES)}${digits(7)}` : `${pick(CODES)}${digits(7)}`);
  const extension = () => digits(3);
  const week = Date.parse('2026-11-23T00:00:00Z');
  return Array.from({ length: count }, () => {
    const at = new Date(week + Math.floor(next() * 7 * 24 * 3600) * 1000).toISOString();
    const kind = next();
    if (kind < 0.5) return { from: { number: external() }, to: { number: extension(), domain }, at };
    if (kind < 0.9) return { from: { number: extension(), domain }, to: { number: external() }, at };
    return { from: { number: extension(), domain }, to: { number: extension(), domain }, at };
  });
}
