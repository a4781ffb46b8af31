/**
 * The one JSON Schema validator of the service (Ajv, strict, every error at
 * once, with the date and date-time formats) and the translation of its
 * errors into field details: `{"field": "periods.0.to", "message": ...}`.
 */
import { Ajv, type ErrorObject, type SchemaValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { jsonBytes, jsonDepth } from './json-bounds.js';
import { NUL_FREE_PATTERN } from './json-schema.js';

export interface FieldDetail {
  field: string;
  message: string;
}

// Union types: opts keys take null in bodies ("back to the default").
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
// ajv-formats is CommonJS: the plugin is its module's `default`.
addFormatsPlugin.default(ajv, ['date', 'date-time']);

// Deeper values are refused by x-maxBytes without being serialised.
const MAX_MEASURED_DEPTH = 64;

// The extension keywords of json-schema.ts. Each reports one error of its own keyword.
function boundKeyword(keyword: string, holds: (limit: number, data: unknown) => boolean, message: (limit: number) => string): void {
  const validate: SchemaValidateFunction = (limit: number, data: unknown): boolean => {
    const ok = holds(limit, data);
    validate.errors = ok ? undefined : [{ keyword, message: message(limit), params: { limit } }];
    return ok;
  };
  ajv.addKeyword({ keyword, schemaType: 'number', errors: true, validate });
}
// Depth first: a value too deep is not serialised to be measured.
boundKeyword('x-maxDepth', (limit, data) => jsonDepth(data, limit) <= limit, (limit) => `must not be nested deeper than ${limit} levels`);
boundKeyword('x-maxBytes', (limit, data) => jsonDepth(data, MAX_MEASURED_DEPTH) <= MAX_MEASURED_DEPTH && jsonBytes(data) <= limit, (limit) => `must be at most ${limit} bytes as JSON`);
boundKeyword(
  'x-maxClientKeys',
  (limit, data) => typeof data !== 'object' || data === null || Object.keys(data).filter((key) => key !== 'ct' && key !== 'lwt').length <= limit,
  (limit) => `may hold at most ${limit} keys besides ct and lwt`,
);

/** An Ajv instance with the service's settings, for other documents than entities (calls, calendars). */
export function sharedAjv(): Ajv {
  return ajv;
}

type Schema = Record<string, unknown>;

// Unknown keys an object may have before it is one error rather than one per key.
const KEYS_BEYOND_DECLARED = 20;

const mapValues = (record: unknown, to: (schema: unknown) => unknown) =>
  Object.fromEntries(Object.entries(record as Schema).map(([key, value]) => [key, to(value)]));

/**
 * The schema as a request body is checked against: an array's items and an
 * object's keys are checked only while it is within its bound. With every
 * error collected, a 1 MB body of 500,000 wrong items cost half a second and
 * as many errors; beyond its bound an array or object is one error. Every
 * array a body may hold must declare maxItems.
 */
function withinBoundsFirst(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Schema = { ...(schema as Schema) };
  if (copy.properties !== undefined) copy.properties = mapValues(copy.properties, withinBoundsFirst);
  if (typeof copy.additionalProperties === 'object') copy.additionalProperties = withinBoundsFirst(copy.additionalProperties);
  if (copy.items !== undefined) {
    if (typeof copy.maxItems !== 'number') throw new Error(`an array of a request body without maxItems: ${JSON.stringify(schema).slice(0, 200)}`);
    // uniqueItems reads the items too, pair by pair unless `items` beside it says they are scalars.
    const { items, uniqueItems, ...rest } = copy;
    const itemChecks = { type: 'array', items: withinBoundsFirst(items), ...(uniqueItems !== undefined && { uniqueItems }) };
    return { ...rest, if: { type: 'array', maxItems: copy.maxItems }, then: itemChecks };
  }
  if (copy.properties !== undefined || copy.additionalProperties !== undefined || copy.propertyNames !== undefined) {
    const clientKeys = typeof copy['x-maxClientKeys'] === 'number' ? copy['x-maxClientKeys'] : 0;
    const limit = Object.keys(copy.properties ?? {}).length + clientKeys + KEYS_BEYOND_DECLARED;
    const { properties, additionalProperties, propertyNames, ...rest } = copy;
    const keys = Object.fromEntries(Object.entries({ properties, additionalProperties, propertyNames }).filter(([, value]) => value !== undefined));
    // ext says its own bound (x-maxClientKeys); other objects say this one.
    const outer = clientKeys > 0 ? rest : { ...rest, maxProperties: limit };
    return { ...outer, if: { type: 'object', maxProperties: limit }, then: { type: 'object', ...keys } };
  }
  return copy;
}

/** A validator of request bodies (or their parts) against `schema`, its work bounded by the schema's bounds. */
export function requestValidator<T = unknown>(schema: Schema) {
  return ajv.compile<T>(withinBoundsFirst(schema) as Schema);
}

function fieldOf(error: ErrorObject): string {
  const base = error.instancePath.split('/').filter(Boolean).join('.');
  const child =
    error.keyword === 'additionalProperties'
      ? (error.params as { additionalProperty: string }).additionalProperty
      : error.keyword === 'required'
        ? (error.params as { missingProperty: string }).missingProperty
        : undefined;
  return child === undefined ? base || 'body' : base ? `${base}.${child}` : child;
}

function messageOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return 'unknown field';
    case 'required':
      return 'is required';
    case 'pattern':
      return (error.params as { pattern: string }).pattern === NUL_FREE_PATTERN ? 'must not contain NUL (\\u0000) characters' : 'must be a UUID';
    case 'enum':
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'maxLength': {
      const { limit } = error.params as { limit: number };
      // Inside propertyNames the value checked is a key of the object, not a value.
      return error.propertyName === undefined ? `must be at most ${limit} characters` : `has a key longer than ${limit} characters`;
    }
    case 'maxItems':
      return `must have at most ${(error.params as { limit: number }).limit} items`;
    case 'maxProperties':
      return `has more than ${(error.params as { limit: number }).limit} fields`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** Ajv's errors as field details: every offending field once, dotted paths. */
export function detailsOf(errors: ErrorObject[] | null | undefined): FieldDetail[] {
  const seen = new Set<string>();
  const details: FieldDetail[] = [];
  for (const error of errors ?? []) {
    // Said by the propertyNames error it wraps, which names the limit; and by the errors of the `then` an `if` wraps.
    if (error.keyword === 'propertyNames' || error.keyword === 'if') continue;
    const detail = { field: fieldOf(error), message: messageOf(error) };
    const key = `${detail.field}\0${detail.message}`;
    if (!seen.has(key)) details.push(detail);
    seen.add(key);
  }
  return details;
}

