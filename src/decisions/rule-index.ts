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

// A trie node is one row of WIDTH int32s: a child per common character, and a mark for a group.
const WIDTH = 16;
const GROUPED = WIDTH - 1;
const COMMON = '0123456789+#.-@';
/** The row slot of each common character; -1 for the rest, which go through `rare`. */
const SLOT = new Int8Array(128).fill(-1);
for (let i = 0; i < COMMON.length; i++) SLOT[COMMON.charCodeAt(i)] = i;
const slotOf = (code: number) => (code < 128 ? SLOT[code] : -1);
const rareKey = (node: number, code: number) => `${node} ${code}`;
// Dead nodes a trie may hold beyond twice what its groups' prefixes need before it is built anew.
const SLACK_NODES = 1024;

/**
 * Rules grouped by the literal prefix of one side's mask, in a trie of the
 * prefixes' characters held in one typed array: a call walks it along its
 * number, one row (one cache line) per character, and stops where no longer
 * prefix exists. Between two requests a server's caches hold other things, so
 * a decision pays for every line it touches; a hash lookup per prefix length
 * touched several, and looked at lengths no prefix of the number has.
 */
class PrefixTrie {
  private rows = new Int32Array(WIDTH * 64);
  /** Nodes in use; node 0 is the root, so 0 also means "no child". */
  private size = 1;
  /** Children by characters outside COMMON: "node code". */
  private rare = new Map<string, number>();
  /** The rules whose prefix ends at a node, by node. */
  private groups: (CompiledRule[] | undefined)[] = [undefined];
  /** The characters of all grouped prefixes: what the trie needs at most. */
  private groupedChars = 0;

  constructor(private readonly side: 'from' | 'to') {}

  private child(node: number, code: number): number {
    const slot = slotOf(code);
    if (slot >= 0) return this.rows[node * WIDTH + slot];
    return this.rare.size === 0 ? 0 : (this.rare.get(rareKey(node, code)) ?? 0);
  }

  private addChild(node: number, code: number): number {
    if ((this.size + 1) * WIDTH > this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    const child = this.size++;
    this.groups.push(undefined);
    const slot = slotOf(code);
    if (slot >= 0) this.rows[node * WIDTH + slot] = child;
    else this.rare.set(rareKey(node, code), child);
    return child;
  }

  /** The node of `prefix`; 0 when it has none and `create` is false. */
  private nodeOf(prefix: string, create: boolean): number {
    let node = 0;
    for (let i = 0; i < prefix.length; i++) {
      const code = prefix.charCodeAt(i);
      let next = this.child(node, code);
      if (next === 0) {
        if (!create) return 0;
        next = this.addChild(node, code);
      }
      node = next;
    }
    return node;
  }

  /** Files `group` as the rules of `prefix`, whose node has no group yet. */
  private fileGroup(node: number, prefix: string, group: CompiledRule[]): void {
    this.groups[node] = group;
    this.rows[node * WIDTH + GROUPED] = 1;
    this.groupedChars += prefix.length;
  }

  add(prefix: string, rule: CompiledRule): void {
    const node = this.nodeOf(prefix, true);
    const group = this.groups[node];
    if (group) insertInOrder(group, rule);
    else this.fileGroup(node, prefix, [rule]);
  }

  remove(prefix: string, rule: CompiledRule): void {
    const node = this.nodeOf(prefix, false);
    const group = this.groups[node];
    if (node === 0 || !group) return;
    removeInOrder(group, rule);
    if (group.length > 0) return;
    this.groups[node] = undefined;
    this.rows[node * WIDTH + GROUPED] = 0;
    this.groupedChars -= prefix.length;
    // Nodes are not taken out one by one; once most are dead, the live groups are filed anew.
    if (this.size > 2 * this.groupedChars + SLACK_NODES) this.rebuild();
  }

  private rebuild(): void {
    const live = this.groups.filter((group): group is CompiledRule[] => group !== undefined);
    this.rows = new Int32Array(WIDTH * 64);
    this.size = 1;
    this.rare = new Map();
    this.groups = [undefined];
    this.groupedChars = 0;
    for (const group of live) {
      const prefix = group[0][this.side]!.literalPrefix;
      this.fileGroup(this.nodeOf(prefix, true), prefix, group);
    }
  }

  /** Gives back the room grown for nodes that did not come (after many rules were filed at once). */
  fit(): void {
    if (this.rows.length > this.size * WIDTH) this.rows = this.rows.slice(0, this.size * WIDTH);
  }

  /** The groups whose prefix the text starts with. */
  collect(text: string, into: CompiledRule[][]): void {
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      node = this.child(node, text.charCodeAt(i));
      if (node === 0) return;
      if (this.rows[node * WIDTH + GROUPED] === 1) into.push(this.groups[node]!);
    }
  }
}

class DirectionGroups {
  readonly byFrom = new PrefixTrie('from');
  readonly byTo = new PrefixTrie('to');
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

  /** After many rules were added at once: the tries keep only the room they use. */
  fit(): void {
    for (const groups of Object.values(this.directions)) {
      groups.byFrom.fit();
      groups.byTo.fit();
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
