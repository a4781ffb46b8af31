/**
 * Validates create and patch bodies against the schemas derived from a
 * collection's declaration, reporting every offending field at once.
 */
import { Ajv, type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import type { CollectionModel } from '../collections/model.js';
import { invalid, invalidField, type ErrorDetail } from '../errors.js';
import { jsonBytes, jsonDepth } from './json-bounds.js';
import { entitySchema, NUL_FREE_PATTERN } from './json-schema.js';

// Deeper values are refused by x-maxBytes without being serialised.
const MAX_MEASURED_DEPTH = 64;

export type Body = Record<string, unknown>;

export interface BodyValidator {
  create(body: unknown): Body;
  patch(body: unknown): Body;
}

// Union types: opts keys take null in bodies ("back to the default").
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });

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

function detailsOf(errors: ErrorObject[] | null | undefined): ErrorDetail[] {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
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

/**
 * A null inside `opts` means "back to the default / unset" on both create and
 * patch; it is taken out before validation so the declared types stay simple.
 */
function withoutNullOpts(model: CollectionModel, body: Body): Body {
  let copy: Body | undefined;
  for (const [name, field] of Object.entries(model.declaration.fields)) {
    const value = body[name];
    if (field.kind !== 'object' || typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const kept = Object.fromEntries(Object.entries(value).filter(([key, v]) => !(v === null && key in field.fields)));
    copy ??= { ...body };
    copy[name] = kept;
  }
  return copy ?? body;
}

export function bodyValidator(model: CollectionModel): BodyValidator {
  const validateCreate = ajv.compile(entitySchema(model, 'create'));
  const validatePatch = ajv.compile(entitySchema(model, 'patch'));
  const serverOnly = Object.entries(model.declaration.fields)
    .filter(([, field]) => field.mode === 'out')
    .map(([name]) => name);

  const check = (validate: ValidateFunction, body: unknown, refused: readonly string[]): Body => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw invalidField('body', 'must be a JSON object');
    }
    // A server-set field is reported as such rather than as "unknown field".
    const details: ErrorDetail[] = refused.filter((name) => name in body).map((field) => ({ field, message: 'is set by the server' }));
    const checked = withoutNullOpts(model, body as Body);
    const rest = details.length > 0 ? Object.fromEntries(Object.entries(checked).filter(([name]) => !refused.includes(name))) : checked;
    if (!validate(rest)) details.push(...detailsOf(validate.errors));
    if (details.length > 0) throw invalid(details);
    return body as Body;
  };

  return {
    create: (body) => check(validateCreate, body, serverOnly),
    patch: (body) => check(validatePatch, body, []),
  };
}
