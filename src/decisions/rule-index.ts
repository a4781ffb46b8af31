/**
 * Which rules a call has to try. Rules are grouped by the direction they
 * apply to and, within it, by the literal prefix of one of their masks: the
 * longer of fromnumber's and tonumber's, since a number can only match a mask
 * it starts with the prefix of. A call looks up the groups of the prefixes of
 * its two numbers, plus the rules with no prefix at all, and walks them
 * merged in priority order until a rule matches.
 *
 * Every list is kept in priority order as rules come and go, so a change
 * costs a binary search and a splice, not a rebuild.
 */
import { firstFailing, precedes, type CallView, type CompiledRule } from './rule.js';
import { DIRECTIONS, type Direction } from '../wire/decision.js';

/** Where `rule` goes in a list in priority order. */
function lowerBound(items: readonly CompiledRule[], rule: CompiledRule): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (precedes(items[middle], rule)) low = middle + 1;
    else high = middle;
  }
  return low;
}

function insertInOrder(items: CompiledRule[], rule: CompiledRule): void {
  items.splice(lowerBound(items, rule), 0, rule);
}

function removeInOrder(items: CompiledRule[], rule: CompiledRule): void {
  const at = lowerBound(items, rule);
  if (items[at] === rule) items.splice(at, 1);
}

/** Rules in priority order. */
export class OrderedRules {
  readonly items: CompiledRule[] = [];

  insert(rule: CompiledRule): void {
    insertInOrder(this.items, rule);
  }

  remove(rule: CompiledRule): void {
    removeInOrder(this.items, rule);
  }
}

/** A step of a string hash kept in V8's small-integer range, so a Map keyed by it hashes no string. */
const hashStep = (hash: number, code: number) => (Math.imul(hash, 31) + code) & 0x3fffffff;

function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = hashStep(hash, text.charCodeAt(i));
  return hash;
}

/**
 * Rules grouped by the literal prefix of one side's mask. Groups are found
 * by a hash of the prefix, worked out a character at a time along the
 * number, so a lookup builds no substring (a Map keyed by strings interns
 * every one it is asked for: a third of a decision's time). The rare group
 * whose hash another prefix holds goes into `overflow`, keyed by its text.
 */
class PrefixGroups {
  // Plain arrays: most prefixes have one rule, and a wrapper per group would double their memory.
  private readonly groups = new Map<number, CompiledRule[]>();
  private readonly overflow = new Map<string, CompiledRule[]>();
  /** The longest prefix ever grouped: no longer prefix of a number needs looking up. */
  longest = 0;

  constructor(private readonly side: 'from' | 'to') {}

  private prefixOf(group: CompiledRule[]): string {
    return group[0][this.side]!.literalPrefix;
  }

  /** The group of `prefix`, wherever it is kept; undefined if none. */
  private groupOf(prefix: string, hash: number): CompiledRule[] | undefined {
    const group = this.groups.get(hash);
    return group && this.prefixOf(group) === prefix ? group : this.overflow.get(prefix);
  }

  add(prefix: string, rule: CompiledRule): void {
    const hash = hashOf(prefix);
    const group = this.groupOf(prefix, hash);
    if (group) insertInOrder(group, rule);
    else if (this.groups.has(hash)) this.overflow.set(prefix, [rule]);
    else this.groups.set(hash, [rule]);
    if (prefix.length > this.longest) this.longest = prefix.length;
  }

  remove(prefix: string, rule: CompiledRule): void {
    const hash = hashOf(prefix);
    const group = this.groupOf(prefix, hash);
    if (!group) return;
    removeInOrder(group, rule);
    if (group.length > 0) return;
    if (this.groups.get(hash) === group) this.groups.delete(hash);
    else this.overflow.delete(prefix);
  }

  /** The groups whose prefix the text starts with. */
  collect(text: string, into: CompiledRule[][]): void {
    const longest = Math.min(text.length, this.longest);
    let hash = 0;
    for (let length = 1; length <= longest; length++) {
      hash = hashStep(hash, text.charCodeAt(length - 1));
      const group = this.groups.get(hash);
      if (group) {
        const prefix = this.prefixOf(group);
        if (prefix.length === length && text.startsWith(prefix)) into.push(group);
      }
      if (this.overflow.size > 0) {
        const other = this.overflow.get(text.slice(0, length));
        if (other) into.push(other);
      }
    }
  }
}

class DirectionGroups {
  readonly byFrom = new PrefixGroups('from');
  readonly byTo = new PrefixGroups('to');
  readonly unprefixed = new OrderedRules();
}

/** Where a rule is filed: by its longer literal prefix, or with the unprefixed rules. */
function placeOf(rule: CompiledRule): { side: 'from' | 'to' | 'none'; prefix: string } {
  const from = rule.from!.literalPrefix;
  const to = rule.to!.literalPrefix;
  if (from === '' && to === '') return { side: 'none', prefix: '' };
  return from.length >= to.length ? { side: 'from', prefix: from } : { side: 'to', prefix: to };
}

export class RuleIndex {
  private readonly directions = Object.fromEntries(DIRECTIONS.map((dir) => [dir, new DirectionGroups()])) as Record<Direction, DirectionGroups>;

  /** Rules with a value that can never hold are left out: they match no call. */
  private static indexable(rule: CompiledRule): boolean {
    return rule.invalid === undefined;
  }

  add(rule: CompiledRule): void {
    if (!RuleIndex.indexable(rule)) return;
    const { side, prefix } = placeOf(rule);
    for (const dir of rule.dirs) {
      const groups = this.directions[dir];
      if (side === 'none') groups.unprefixed.insert(rule);
      else (side === 'from' ? groups.byFrom : groups.byTo).add(prefix, rule);
    }
  }

  remove(rule: CompiledRule): void {
    if (!RuleIndex.indexable(rule)) return;
    const { side, prefix } = placeOf(rule);
    for (const dir of rule.dirs) {
      const groups = this.directions[dir];
      if (side === 'none') groups.unprefixed.remove(rule);
      else (side === 'from' ? groups.byFrom : groups.byTo).remove(prefix, rule);
    }
  }

  /** The first rule in priority order whose conditions all hold, trying only the candidates. */
  first(call: CallView): CompiledRule | undefined {
    const groups = this.directions[call.dir];
    const lists: CompiledRule[][] = [groups.unprefixed.items];
    groups.byFrom.collect(call.from.text, lists);
    groups.byTo.collect(call.to.text, lists);
    const next = new Array<number>(lists.length).fill(0);
    for (;;) {
      // The candidate that comes first among the heads of the lists: a k-way merge with k small.
      let best = -1;
      let bestRule: CompiledRule | undefined;
      for (let i = 0; i < lists.length; i++) {
        const rule = lists[i][next[i]];
        if (rule !== undefined && (bestRule === undefined || precedes(rule, bestRule))) {
          best = i;
          bestRule = rule;
        }
      }
      if (bestRule === undefined) return undefined;
      next[best]++;
      if (firstFailing(bestRule, call) === null) return bestRule;
    }
  }
}
