/**
 * The `filter` list parameter, parsed into a tree the stores compile to SQL.
 * shared/spec/CONVENTIONS.md, "List parameters": an object of equalities
 * (`{"dir": "incoming", "opts.title": "x"}`), or the vendor's prefix
 * expression, e.g.
 *   ["and", ["==", ["property","dir"], "incoming"],
 *           ["in", ["property","priority"], ["list", 50, 99]]]
 */
import type { Scalar } from '../collections/declaration.js';
import { resolveFieldRef, type CollectionModel, type FieldRef } from '../collections/model.js';
import { invalidField } from '../errors.js';
import { parseJsonParameter } from './json-parameter.js';

export type Comparison = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type FilterNode =
  | { kind: 'and' | 'or'; nodes: FilterNode[] }
  | { kind: 'not'; node: FilterNode }
  | { kind: 'compare'; op: Comparison; field: FieldRef; value: Scalar }
  | { kind: 'in'; field: FieldRef; values: Scalar[] }
  | { kind: 'like'; field: FieldRef; pattern: string }
  | { kind: 'isnull'; field: FieldRef };

// Bounds that keep one request's SQL small whatever a client sends.
export const MAX_FILTER_NODES = 200;
export const MAX_FILTER_DEPTH = 16;
export const MAX_IN_VALUES = 1000;
/** The longest `like` pattern, in characters (its cost per row grows with it: cost.ts). */
export const MAX_LIKE_PATTERN = 256;

const COMPARISONS = new Set<string>(['==', '!=', '>', '>=', '<', '<=']);

class FilterParser {
  private nodes = 0;

  constructor(private readonly model: CollectionModel) {}

  private fail(message: string, path?: string): never {
    throw invalidField(path ? `filter.${path}` : 'filter', message);
  }

  private count(depth: number): void {
    if (++this.nodes > MAX_FILTER_NODES) this.fail(`has more than ${MAX_FILTER_NODES} terms`);
    if (depth > MAX_FILTER_DEPTH) this.fail(`is nested deeper than ${MAX_FILTER_DEPTH}`);
  }

  private field(path: unknown): { ref: FieldRef; path: string } {
    if (typeof path !== 'string') this.fail('a property name must be a string');
    const ref = resolveFieldRef(this.model, path);
    if (!ref) this.fail('unknown or not filterable field', path);
    return { ref, path };
  }

  private value(ref: FieldRef, path: string, value: unknown): Scalar {
    const type = ref.kind === 'ext' ? 'any' : ref.leaf.field.type;
    const ok =
      type === 'any'
        ? typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
        : type === 'integer'
          ? Number.isSafeInteger(value)
          : type === 'boolean'
            ? typeof value === 'boolean'
            : typeof value === 'string';
    if (!ok) this.fail(type === 'any' ? 'must be compared with a string, number or boolean' : `must be compared with a ${type === 'uuid' ? 'string' : type}`, path);
    // UUIDs are stored lowercase.
    return type === 'uuid' ? (value as string).toLowerCase() : (value as Scalar);
  }

  /** The object form: every key an equality (null: is null), all ANDed. */
  object(filter: Record<string, unknown>): FilterNode {
    const nodes: FilterNode[] = Object.entries(filter).map(([path, value]) => {
      this.count(1);
      const { ref } = this.field(path);
      if (value === null) return { kind: 'isnull', field: ref };
      return { kind: 'compare', op: '==', field: ref, value: this.value(ref, path, value) };
    });
    return { kind: 'and', nodes };
  }

  private property(operand: unknown): { ref: FieldRef; path: string } {
    if (!Array.isArray(operand) || operand.length !== 2 || operand[0] !== 'property') {
      this.fail('expected ["property", "<field>"] as the first operand');
    }
    return this.field(operand[1]);
  }

  /** The prefix-expression form. */
  expression(expr: unknown, depth = 1): FilterNode {
    this.count(depth);
    if (!Array.isArray(expr) || typeof expr[0] !== 'string') this.fail('expected an expression ["<operator>", ...]');
    const [op, ...args] = expr as [string, ...unknown[]];
    const arity = (n: number) => {
      if (args.length !== n) this.fail(`"${op}" takes ${n} operand${n === 1 ? '' : 's'}`);
    };
    switch (op) {
      case 'and':
      case 'or':
        if (args.length === 0) this.fail(`"${op}" needs at least one operand`);
        return { kind: op, nodes: args.map((arg) => this.expression(arg, depth + 1)) };
      case 'not':
        arity(1);
        return { kind: 'not', node: this.expression(args[0], depth + 1) };
      case 'isnull': {
        arity(1);
        return { kind: 'isnull', field: this.property(args[0]).ref };
      }
      case 'like': {
        arity(2);
        const { ref, path } = this.property(args[0]);
        if (ref.kind === 'column' && ref.leaf.field.type !== 'string' && ref.leaf.field.type !== 'uuid') this.fail('"like" applies to text fields', path);
        if (typeof args[1] !== 'string') this.fail('"like" takes a string pattern', path);
        if (args[1].length > MAX_LIKE_PATTERN) this.fail(`"like" patterns are at most ${MAX_LIKE_PATTERN} characters`, path);
        return { kind: 'like', field: ref, pattern: args[1] };
      }
      case 'in': {
        arity(2);
        const { ref, path } = this.property(args[0]);
        const list = args[1];
        if (!Array.isArray(list) || list[0] !== 'list') this.fail('"in" takes ["list", ...values]', path);
        if (list.length - 1 > MAX_IN_VALUES) this.fail(`"in" takes at most ${MAX_IN_VALUES} values`, path);
        return { kind: 'in', field: ref, values: list.slice(1).map((value) => this.value(ref, path, value)) };
      }
      default: {
        if (!COMPARISONS.has(op)) this.fail(`unknown operator "${op}"`);
        arity(2);
        const { ref, path } = this.property(args[0]);
        if (args[1] === null && (op === '==' || op === '!=')) {
          const isNull: FilterNode = { kind: 'isnull', field: ref };
          return op === '==' ? isNull : { kind: 'not', node: isNull };
        }
        return { kind: 'compare', op: op as Comparison, field: ref, value: this.value(ref, path, args[1]) };
      }
    }
  }
}

/** Parses the JSON text of a `filter` parameter. */
export function parseFilter(model: CollectionModel, text: string): FilterNode {
  const parsed = parseJsonParameter('filter', text, 'must be JSON: an object or a prefix expression');
  const parser = new FilterParser(model);
  if (Array.isArray(parsed)) return parser.expression(parsed);
  if (typeof parsed === 'object' && parsed !== null) return parser.object(parsed as Record<string, unknown>);
  throw invalidField('filter', 'must be a JSON object or a prefix expression array');
}
