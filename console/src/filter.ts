/**
 * The filter builder's model: rows of field, operator and value, joined by
 * all or any, written as the service's prefix expression
 * (`["and", ["==", ["property","dir"], "incoming"], ...]`). Values take the
 * field's type from its schema, so `priority > 10` compares numbers.
 */
import type { JsonSchema } from './api-description.js';

export const OPERATORS = ['==', '!=', '>', '>=', '<', '<=', 'like', 'in', 'isnull'] as const;
export type Operator = (typeof OPERATORS)[number];

export const OPERATOR_LABELS: Record<Operator, string> = {
  '==': 'equals',
  '!=': 'differs from',
  '>': 'greater than',
  '>=': 'at least',
  '<': 'less than',
  '<=': 'at most',
  like: 'matches (* any)',
  in: 'one of (comma-separated)',
  isnull: 'is unset',
};

export interface FilterTerm {
  field: string;
  op: Operator;
  value: string;
}

function typed(schema: JsonSchema | undefined, text: string): unknown {
  const types = Array.isArray(schema?.type) ? schema.type : [schema?.type];
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim());
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

export function filterExpression(terms: FilterTerm[], join: 'and' | 'or', schemaOf: (field: string) => JsonSchema | undefined): unknown[] | undefined {
  const expressions = terms
    .filter((term) => term.field !== '')
    .map((term) => {
      const property = ['property', term.field];
      const schema = schemaOf(term.field);
      if (term.op === 'isnull') return ['isnull', property];
      if (term.op === 'in') return ['in', property, ['list', ...term.value.split(',').map((part) => typed(schema, part.trim()))]];
      if (term.op === 'like') return ['like', property, term.value];
      return [term.op, property, typed(schema, term.value)];
    });
  if (expressions.length === 0) return undefined;
  return expressions.length === 1 ? expressions[0] : [join, ...expressions];
}
