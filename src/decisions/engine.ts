/**
 * Recording decisions (shared/spec/RECORDING.md): which domains of a call
 * record it, by which rule, under which storage rule.
 *
 * Each domain's rules are compiled once, on its first decision, from one
 * read of its recordrules, storagerules, workdays and calendar; after that
 * the change feed says which entities changed and only those are read again,
 * before the next decision of that domain. A decision itself reads nothing
 * from the store (but whether a domain exists, once).
 *
 * Freshness: a change published by this process is applied by its next
 * decision. Changes of other processes arrive through the feed: on
 * PostgreSQL by NOTIFY, on the embedded store by `catchUp()` (the file's
 * change log, checked at most every few milliseconds). When the feed reports
 * a gap, every domain is compiled again.
 */
import { CALENDAR_COLLECTION } from '../calendar/document.js';
import { CREATED_AT, type CollectionModel } from '../collections/model.js';
import type { ChangeEvent, ChangeFeed } from '../events/change-feed.js';
import type { Row } from '../entity/rows.js';
import type { ListQuery } from '../query/params.js';
import type { Store } from '../store/store.js';
import { domainsOf, type Call } from './call.js';
import { DomainRules, prepareCall, type PreparedCall } from './domain-rules.js';
import type { Decision, DomainDecision, StorageRule } from '../wire/decision.js';
import type { RuleFields } from './rule.js';
import type { Workday } from './working-time.js';

export interface DecisionOptions {
  /** Whether the caller may have the call decided in this domain. */
  mayDecideIn(domain: string): boolean;
  trace: boolean;
}

const RULES = 'recordrules';
const STORAGE = 'storagerules';
const WORKDAYS = 'workdays';
// A domain found missing is asked for again after this long: domains are created by the admin CLI.
const MISSING_DOMAIN_MS = 1000;
// More changes than this waiting for one domain: it is compiled again from one read.
const RECOMPILE_AFTER = 1000;
const REREAD_TOGETHER = 16;
// A domain is compiled from all of its rules, however much text they hold.
const EVERY_ROW: ListQuery = { order: [], offset: 0, limit: 2 ** 31 - 1, flat: false, maxChars: Infinity };

interface Compiled {
  ready: Promise<DomainRules>;
  /** The rules once `ready` has settled. */
  rules?: DomainRules;
  /** Entities changed since they were read: `collection\0id`. */
  pending: Set<string>;
  refreshing?: Promise<void>;
}

export class DecisionEngine {
  private readonly compiled = new Map<string, Compiled>();
  /** Domains known to exist, and until when a missing one is taken as missing. */
  private readonly existing = new Set<string>();
  private readonly missingUntil = new Map<string, number>();
  private readonly models: Record<typeof RULES | typeof STORAGE | typeof WORKDAYS, CollectionModel>;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    models: readonly CollectionModel[],
    private readonly feed: ChangeFeed,
  ) {
    const find = (name: string) => {
      const model = models.find((candidate) => candidate.name === name);
      if (!model) throw new Error(`decisions need the ${name} collection`);
      return model;
    };
    this.models = { [RULES]: find(RULES), [STORAGE]: find(STORAGE), [WORKDAYS]: find(WORKDAYS) };
    this.unsubscribe = feed.subscribeAll(
      (event) => this.changed(event),
      () => this.compiled.clear(),
    );
  }

  private changed({ domain, collection, id }: ChangeEvent): void {
    if (collection !== RULES && collection !== STORAGE && collection !== WORKDAYS && collection !== CALENDAR_COLLECTION) return;
    this.compiled.get(domain)?.pending.add(`${collection}\0${id}`);
  }

  /**
   * The decision, without waiting, when every domain of the call is known
   * and its compiled rules are current (the usual case); undefined when one
   * must first be read, and then decide() is the way. Saves the promise
   * turns of decide() on the hot path.
   */
  decideNow(call: Call, options: DecisionOptions): Decision | undefined {
    this.feed.catchUp();
    const domains: DomainDecision[] = [];
    const notEvaluated: string[] = [];
    let prepared: PreparedCall | undefined;
    for (const domain of domainsOf(call)) {
      if (!options.mayDecideIn(domain)) {
        notEvaluated.push(domain);
        continue;
      }
      const entry = this.existing.has(domain) ? this.compiled.get(domain) : undefined;
      if (!entry?.rules || entry.refreshing || entry.pending.size > 0) return undefined;
      domains.push(entry.rules.decide((prepared ??= prepareCall(call)), options.trace));
    }
    return { record: domains.some((decision) => decision.record), domains, not_evaluated: notEvaluated };
  }

  async decide(call: Call, options: DecisionOptions): Promise<Decision> {
    this.feed.catchUp();
    const prepared = prepareCall(call);
    const domains: DomainDecision[] = [];
    const notEvaluated: string[] = [];
    for (const domain of domainsOf(call)) {
      if (!options.mayDecideIn(domain) || !(await this.exists(domain))) {
        notEvaluated.push(domain);
        continue;
      }
      domains.push((await this.current(domain)).decide(prepared, options.trace));
    }
    return { record: domains.some((decision) => decision.record), domains, not_evaluated: notEvaluated };
  }

  close(): void {
    this.unsubscribe();
    this.compiled.clear();
  }

  private async exists(domain: string): Promise<boolean> {
    if (this.existing.has(domain)) return true;
    if ((this.missingUntil.get(domain) ?? 0) > Date.now()) return false;
    if (await this.store.domainExists(domain)) {
      this.existing.add(domain);
      this.missingUntil.delete(domain);
      return true;
    }
    if (this.missingUntil.size > 10_000) this.missingUntil.clear();
    this.missingUntil.set(domain, Date.now() + MISSING_DOMAIN_MS);
    return false;
  }

  /** The domain's compiled rules with every reported change applied. */
  private async current(domain: string): Promise<DomainRules> {
    let entry = this.compiled.get(domain);
    if (!entry) {
      // Registered before the first read: changes during the read are applied after it.
      const created: Compiled = { pending: new Set(), ready: undefined as never };
      created.ready = this.load(domain).then(
        (rules) => (created.rules = rules),
        (err) => {
          if (this.compiled.get(domain) === created) this.compiled.delete(domain);
          throw err;
        },
      );
      this.compiled.set(domain, (entry = created));
    }
    const rules = await entry.ready;
    if (!entry.refreshing && entry.pending.size > RECOMPILE_AFTER) {
      // After a bulk change one read of the domain costs less than re-reading every entity.
      if (this.compiled.get(domain) === entry) this.compiled.delete(domain);
      return this.current(domain);
    }
    // A re-read already under way may be for a change this decision must see: wait for it too.
    while (entry.refreshing || entry.pending.size > 0) await (entry.refreshing ??= this.refresh(entry, rules));
    return rules;
  }

  private async refresh(entry: Compiled, rules: DomainRules): Promise<void> {
    const keys = [...entry.pending];
    entry.pending.clear();
    try {
      // A few at a time: each is one read by primary key, a round trip on PostgreSQL.
      for (let i = 0; i < keys.length; i += REREAD_TOGETHER) {
        const batch = keys.slice(i, i + REREAD_TOGETHER);
        const outcomes = await Promise.allSettled(batch.map((key) => this.reread(rules, key)));
        const failed = outcomes.findIndex((outcome) => outcome.status === 'rejected');
        if (failed >= 0) {
          // Not applied: left for the next decision (re-reading an applied one again is harmless).
          for (const key of keys.slice(i)) entry.pending.add(key);
          throw (outcomes[failed] as PromiseRejectedResult).reason;
        }
      }
    } finally {
      entry.refreshing = undefined;
    }
  }

  private async reread(rules: DomainRules, key: string): Promise<void> {
    const [collection, id] = key.split('\0');
    const domain = rules.name;
    if (collection === CALENDAR_COLLECTION) rules.setCalendar(await this.store.getCalendar(domain));
    else if (collection === RULES) rules.setRule(id, ruleFieldsOf(this.models[RULES], await this.store.get(this.models[RULES], domain, id)));
    else if (collection === STORAGE) rules.setStorageRule(id, storageRuleOf(await this.store.get(this.models[STORAGE], domain, id)));
    else rules.setWorkday(id, workdayOf(await this.store.get(this.models[WORKDAYS], domain, id)));
  }

  private async load(domain: string): Promise<DomainRules> {
    const rules = new DomainRules(domain);
    const [ruleRows, storageRows, workdayRows, calendar] = await Promise.all([
      this.store.list(this.models[RULES], domain, EVERY_ROW),
      this.store.list(this.models[STORAGE], domain, EVERY_ROW),
      this.store.list(this.models[WORKDAYS], domain, EVERY_ROW),
      this.store.getCalendar(domain),
    ]);
    rules.setRules(ruleRows.map((row) => ruleFieldsOf(this.models[RULES], row)!));
    for (const row of storageRows) rules.setStorageRule(row.id as string, storageRuleOf(row));
    for (const row of workdayRows) rules.setWorkday(row.id as string, workdayOf(row));
    rules.setCalendar(calendar);
    return rules;
  }
}

/** A stored recordrule (a row of `model`) as the fields a rule is compiled from; undefined: no row. */
export function ruleFieldsOf(model: CollectionModel, row: Row | undefined): RuleFields | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string,
    priority: row.priority as number,
    createdAt: row[model.leafByPath.get(CREATED_AT)!.column] as string,
    dir: row.dir as string,
    fromnumber: row.fromnumber as string,
    tonumber: row.tonumber as string,
    crossdomain: row.crossdomain as string,
    rec: row.rec as number,
    storageruleid: row.storageruleid as string,
    schedule: row.schedule as string,
    periods: row.periods,
  };
}

function storageRuleOf(row: Row | undefined): StorageRule | undefined {
  return row && { id: row.id as string, name: row.name as string, expires: row.expires as number };
}

function workdayOf(row: Row | undefined): Workday | undefined {
  return row && { date: row.date as string, isannual: row.isannual as number, isworkday: row.isworkday as number, asdow: row.asdow as number, periods: row.periods };
}
