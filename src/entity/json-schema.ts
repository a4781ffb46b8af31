/**
 * JSON Schema (2020-12 compatible subset) for a collection's entity, derived
 * from its declaration. Used to validate request bodies and, unchanged, as
 * the OpenAPI component schemas.
 *
 * Bounds JSON Schema has no keyword for are extension keywords, validated by
 * validation.ts and shown as they are in the OpenAPI document:
 * `x-maxBytes` (the value as JSON text, in UTF-8 bytes), `x-maxDepth` (its
 * nesting; an object or array is 1 deep) and `x-maxClientKeys` (keys of an
 * `ext` object besides the server's ct and lwt).
 */
import type { ArrayField, ExtField, FieldDeclaration, ScalarField } from '../collections/declaration.js';
import type { CollectionModel } from '../collections/model.js';

export type JsonSchema = Record<string, unknown>;

export const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** U+0000 is refused in every string (PostgreSQL cannot store it; see http/nul-guard.ts). */
export const NUL_FREE_PATTERN = '^[^\\u0000]*$';
// Said where a schema cannot carry the pattern: values of any JSON type.
const NUL_RULE = 'Strings anywhere inside, keys included, must not contain U+0000.';
const ROUND_TRIP_RULE = 'Read-only: a PATCH may repeat it only with its stored value (a GET-modify-PATCH round trip); any other value is a 400.';

/** Which body the schema describes: what a client sends on create or patch, or what the server returns. */
export type SchemaPurpose = 'create' | 'patch' | 'entity';

function scalarSchema(field: ScalarField): JsonSchema {
  const schema: JsonSchema = {};
  switch (field.type) {
    case 'string':
      schema.type = 'string';
      if (field.maxLength !== undefined) schema.maxLength = field.maxLength;
      if (field.format) schema.format = field.format;
      if (!field.enum) schema.pattern = NUL_FREE_PATTERN;
      break;
    case 'uuid':
      schema.type = 'string';
      schema.pattern = field.allowEmpty ? `^(${UUID_PATTERN})?$` : `^${UUID_PATTERN}$`;
      break;
    case 'integer':
      schema.type = 'integer';
      if (field.minimum !== undefined) schema.minimum = field.minimum;
      if (field.maximum !== undefined) schema.maximum = field.maximum;
      break;
    case 'boolean':
      schema.type = 'boolean';
      break;
  }
  if (field.enum) schema.enum = [...field.enum];
  return schema;
}

function arraySchema(field: ArrayField): JsonSchema {
  if (field.items === 'string') {
    return { type: 'array', maxItems: field.maxItems, items: { type: 'string', maxLength: field.itemMaxLength, pattern: NUL_FREE_PATTERN } };
  }
  if (field.items === 'any') {
    return { type: 'array', maxItems: field.maxItems, items: {}, 'x-maxBytes': field.maxBytes, 'x-maxDepth': field.maxDepth, description: NUL_RULE };
  }
  // A declared item schema (periods): it bounds its own values, and the body's NUL guard covers its strings.
  return { type: 'array', maxItems: field.maxItems, items: { ...field.items } };
}

function extSchema(field: ExtField, purpose: SchemaPurpose): JsonSchema {
  const schema: JsonSchema = {
    type: 'object',
    properties: { ct: { type: 'string', readOnly: true }, lwt: { type: 'string', readOnly: true } },
    propertyNames: { maxLength: field.maxKeyLength },
    additionalProperties: { 'x-maxBytes': field.maxValueBytes },
    'x-maxClientKeys': field.maxKeys,
    'x-maxDepth': field.maxDepth,
    description: NUL_RULE,
  };
  if (purpose === 'entity') schema.required = ['ct', 'lwt'];
  return schema;
}

function annotate(schema: JsonSchema, field: FieldDeclaration, purpose: SchemaPurpose): JsonSchema {
  if (purpose === 'entity' && 'default' in field && field.default !== undefined) schema.default = field.default;
  const descriptions = [field.description, schema.description];
  // Server-set and immutable fields: the client gives id only on create.
  if (field.mode === 'out' || (field.immutable && purpose !== 'create')) {
    schema.readOnly = true;
    if (purpose === 'patch') descriptions.push(ROUND_TRIP_RULE);
  }
  const description = descriptions.filter(Boolean).join(' ');
  if (description) schema.description = description;
  return schema;
}

function nullable(schema: JsonSchema): void {
  schema.type = [schema.type, 'null'];
  if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
}

/** Whether a client may send the field in a body of this purpose. */
function writable(field: FieldDeclaration, purpose: SchemaPurpose): boolean {
  if (purpose === 'entity') return true;
  // An out field may come back on PATCH only unchanged (it is immutable), e.g. a GET-modify-PATCH round trip.
  return field.mode !== 'out' || (purpose === 'patch' && field.immutable === true);
}

/** Whether every stored entity has the field: composites, defaults, generated and required values. */
function alwaysPresent(field: FieldDeclaration): boolean {
  if (field.kind === 'object' || field.kind === 'ext') return true;
  if (field.default !== undefined || field.required) return true;
  return field.kind === 'scalar' && field.generated !== undefined;
}

export function entitySchema(model: CollectionModel, purpose: SchemaPurpose): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(model.declaration.fields)) {
    if (!writable(field, purpose)) continue;
    let schema: JsonSchema;
    if (field.kind === 'scalar') schema = scalarSchema(field);
    else if (field.kind === 'array') schema = arraySchema(field);
    else if (field.kind === 'object') {
      const keys: Record<string, JsonSchema> = {};
      const always: string[] = [];
      for (const [key, sub] of Object.entries(field.fields)) {
        keys[key] = annotate(sub.kind === 'scalar' ? scalarSchema(sub) : arraySchema(sub), sub, purpose);
        // A client's null resets the key to its default, or unsets it (validation takes nulls out first).
        if (purpose !== 'entity') nullable(keys[key]);
        if (sub.default !== undefined) always.push(key);
      }
      schema = { type: 'object', properties: keys, additionalProperties: false };
      if (purpose === 'entity' && always.length > 0) schema.required = always;
    } else schema = extSchema(field, purpose);
    properties[name] = annotate(schema, field, purpose);
    if (purpose === 'create' ? field.required : purpose === 'entity' && alwaysPresent(field)) required.push(name);
  }
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema.required = required;
  return schema;
}
