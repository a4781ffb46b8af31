/**
 * The one JSON Schema validator of the service (Ajv, strict, every error at
 * once, with the date and date-time formats) and the translation of its
 * errors into field details: `{"field": "periods.0.to", "message": ...}`.
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { NUL_FREE_PATTERN } from './json-schema.js';

export interface FieldDetail {
  field: string;
  message: string;
}

// Union types: opts keys take null in bodies ("back to the default").
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
// ajv-formats is CommonJS: the plugin is its module's `default`.
addFormatsPlugin.default(ajv, ['date', 'date-time']);

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
    default:
      return error.message ?? 'is invalid';
  }
}

/** Ajv's errors as field details: every offending field once, dotted paths. */
export function detailsOf(errors: ErrorObject[] | null | undefined): FieldDetail[] {
  const seen = new Set<string>();
  const details: FieldDetail[] = [];
  for (const error of errors ?? []) {
    const detail = { field: fieldOf(error), message: messageOf(error) };
    const key = `${detail.field}\0${detail.message}`;
    if (!seen.has(key)) details.push(detail);
    seen.add(key);
  }
  return details;
}

