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
    default:
      return error.message ?? 'is invalid';
  }
}

/** Ajv's errors as field details: every offending field once, dotted paths. */
export function detailsOf(errors: ErrorObject[] | null | undefined): FieldDetail[] {
  const seen = new Set<string>();
  const details: FieldDetail[] = [];
  for (const error of errors ?? []) {
    // Said by the propertyNames error it wraps, which names the limit.
    if (error.keyword === 'propertyNames') continue;
    const detail = { field: fieldOf(error), message: messageOf(error) };
    const key = `${detail.field}\0${detail.message}`;
    if (!seen.has(key)) details.push(detail);
    seen.add(key);
  }
  return details;
}

