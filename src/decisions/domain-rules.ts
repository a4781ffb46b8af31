/**
 * Everything one domain's decisions need, compiled and kept in memory: its
 * recordrules (in priority order and indexed), storagerules, workdays and
 * calendar. Changes are applied one entity at a time as the change feed
 * reports them; nothing here reads the store.
 */
import { defaultCalendar, type CalendarDocument } from '../calendar/document.js';
import { directionFor, type Call } from './call.js';
import { localTime, type LocalTime } from './local-time.js';
import { subjectOf, type Subject } from './mask-matcher.js';
import { compileRule, firstFailing, precedes, type CallView, type CompiledRule, type MatcherCache, type RuleFields } from './rule.js';
import type { DomainDecision, StorageRule, TraceEntry } from '../wire/decision.js';
import { OrderedRules, RuleIndex } from './rule-index.js';
import { WorkingTime, type Workday } from './working-time.js';

/** The two numbers of a call, prepared once for every domain and rule. */
export interface PreparedCall {
  call: Call;
  from: Subject;
  to: Subject;
}

export function prepareCall(call: Call): PreparedCall {
  return { call, from: subjectOf(call.from.number), to: subjectOf(call.to.number) };
}

export class DomainRules {
  private readonly rules = new Map<string, CompiledRule>();
  private readonly ordered = new OrderedRules();
  private readonly index = new RuleIndex();
  private matchers: MatcherCache = new Map();
  private timestamps = new Map<string, string>();
  private readonly storagerules = new Map<string, StorageRule>();
  private readonly workdays = new Map<string, Workday>();
  private calendar: CalendarDocument = defaultCalendar();
  private workingTime?: WorkingTime;

  constructor(readonly name: string) {}

  /** Sets a rule as stored now; undefined: it is gone. */
  setRule(id: string, fields: RuleFields | undefined): void {
    const current = this.rules.get(id);
    if (current) {
      this.ordered.remove(current);
      this.index.remove(current);
      this.rules.delete(id);
    }
    if (fields) this.file(this.compile(fields));
  }

  /**
   * Sets many rules at once (a domain's first read). Filed in priority
   * order, each goes at the end of its lists: a sorted insert of each in
   * turn would move half of a 100k-rule list per rule.
   */
  setRules(fields: Iterable<RuleFields>): void {
    const compiled: CompiledRule[] = [];
    for (const one of fields) {
      const current = this.rules.get(one.id);
      if (current) {
        this.ordered.remove(current);
        this.index.remove(current);
        this.rules.delete(one.id);
      }
      compiled.push(this.compile(one, false));
    }
    compiled.sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0));
    for (const rule of compiled) this.file(rule);
    this.index.fit();
  }

  /** `prune`: drop the shared caches first if they hold far more than the rules use (not while the rules are still coming). */
  private compile(fields: RuleFields, prune = true): CompiledRule {
    // Matchers are shared by mask text; a cache far larger than the rules holds masks no rule uses any more.
    if (prune && this.matchers.size > 2 * this.rules.size + 1000) this.matchers = new Map();
    if (prune && this.timestamps.size > 2 * this.rules.size + 1000) this.timestamps = new Map();
    // Rules created together share one timestamp text; keep one copy of it.
    let createdAt = this.timestamps.get(fields.createdAt);
    if (createdAt === undefined) this.timestamps.set(fields.createdAt, (createdAt = fields.createdAt));
    return compileRule({ ...fields, createdAt }, this.matchers);
  }

  private file(rule: CompiledRule): void {
    this.rules.set(rule.id, rule);
    this.ordered.insert(rule);
    this.index.add(rule);
  }

  setStorageRule(id: string, storagerule: StorageRule | undefined): void {
    if (storagerule) this.storagerules.set(id, storagerule);
    else this.storagerules.delete(id);
  }

  setWorkday(id: string, workday: Workday | undefined): void {
    if (workday) this.workdays.set(id, workday);
    else this.workdays.delete(id);
    this.workingTime = undefined;
  }

  setCalendar(calendar: CalendarDocument | undefined): void {
    this.calendar = calendar ?? defaultCalendar();
    this.workingTime = undefined;
  }

  private working(): WorkingTime {
    return (this.workingTime ??= new WorkingTime(this.calendar, this.workdays.values()));
  }

  private view(prepared: PreparedCall): CallView {
    const { dir, other } = directionFor(prepared.call, this.name);
    let local: LocalTime | undefined;
    let working: boolean | undefined;
    const zone = this.calendar.timezone;
    const view: CallView = {
      dir,
      from: prepared.from,
      to: prepared.to,
      other: other === undefined ? undefined : subjectOf(other),
      local: () => (local ??= localTime(zone, prepared.call.at)),
      working: () => (working ??= this.working().isWorking(view.local())),
    };
    return view;
  }

  /**
   * The decision of this domain. With `trace`, every rule is tried in
   * priority order up to the deciding one, so the trace names what failed
   * for rules the index would have skipped too.
   */
  decide(prepared: PreparedCall, trace: boolean): DomainDecision {
    const call = this.view(prepared);
    let decider: CompiledRule | undefined;
    let tried: TraceEntry[] | undefined;
    if (trace) {
      tried = [];
      for (const rule of this.ordered.items) {
        const failed = firstFailing(rule, call);
        const entry: TraceEntry = { id: rule.id, priority: rule.priority, failed };
        const reason = failed && rule.invalid?.[failed];
        if (reason) entry.reason = reason;
        tried.push(entry);
        if (failed === null) {
          decider = rule;
          break;
        }
      }
    } else decider = this.index.first(call);
    const records = decider?.rec === 1;
    const storagerule = records && decider!.storageruleid !== '' ? (this.storagerules.get(decider!.storageruleid) ?? null) : null;
    const decision: DomainDecision = {
      domain: this.name,
      dir: call.dir,
      record: records,
      rule: decider ? { id: decider.id, priority: decider.priority, rec: decider.rec } : null,
      storagerule: storagerule && { id: storagerule.id, name: storagerule.name, expires: storagerule.expires },
    };
    if (tried) decision.trace = tried;
    return decision;
  }
}

