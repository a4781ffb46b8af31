/**
 * Validates create and patch bodies against the schemas derived from a
 * collection's declaration, reporting every offending field at once.
 */
import type { ValidateFunction } from 'ajv';
import type { ArrayField, ScalarField } from '../collections/declaration.js';
import type { CollectionModel } from '../collections/model.js';
import { invalid, invalidField, type ErrorDetail } from '../errors.js';
import { detailsOf, requestValidator } from './ajv.js';
import { entitySchema } from './json-schema.js';

export type Body = Record<string, unknown>;

export interface BodyValidator {
  create(body: unknown): Body;
  patch(body: unknown): Body;
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
    const kept = Object.fromEntries(Object.entries(value).filter(([key, v]) => !(v === null && Object.hasOwn(field.fields, key))));
    copy ??= { ...body };
    copy[name] = kept;
  }
  return copy ?? body;
}

/** Fields and opts keys whose declaration has a check, by wire path. */
function checkedFields(model: CollectionModel): { path: string; top: string; key?: string; field: ScalarField | ArrayField }[] {
  return model.leaves.filter((leaf) => leaf.field.check !== undefined).map(({ path, top, key, field }) => ({ path, top, key, field }));
}

/**
 * Whether the schema has refused the value for its size already: a string
 * surely over its maxLength (in code points, so twice that in UTF-16 units),
 * an array over its maxItems. Its check would only cost time on it.
 */
function overBound(field: ScalarField | ArrayField, value: unknown): boolean {
  if (field.kind === 'array') return Array.isArray(value) && value.length > field.maxItems;
  return typeof value === 'string' && field.maxLength !== undefined && value.length > 2 * field.maxLength;
}

/** Runs the declaration checks of the fields present in a body. */
function runChecks(model: CollectionModel, body: Body): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const { path, top, key, field } of checkedFields(model)) {
    const container = key === undefined ? body : body[top];
    if (typeof container !== 'object' || container === null) continue;
    const value = (container as Body)[key ?? top];
    if (value === undefined || value === null || overBound(field, value)) continue;
    for (const problem of field.check!(value)) details.push({ field: problem.at ? `${path}.${problem.at}` : path, message: problem.message });
  }
  return details;
}

export function bodyValidator(model: CollectionModel): BodyValidator {
  const validateCreate = requestValidator(entitySchema(model, 'create'));
  const validatePatch = requestValidator(entitySchema(model, 'patch'));
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
    // Appended one by one: a spread of many thousands of details overflows the call stack.
    if (!validate(rest)) for (const detail of detailsOf(validate.errors)) details.push(detail);
    // Checks skip values of the wrong type, which the schema has reported already.
    for (const detail of runChecks(model, rest)) details.push(detail);
    if (details.length > 0) throw invalid(details);
    return body as Body;
  };

  return {
    create: (body) => check(validateCreate, body, serverOnly),
    patch: (body) => check(validatePatch, body, []),
  };
}
