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

/** Which body the schema describes: what a client sends on create or patch, or what the server returns. */
export type SchemaPurpose = 'create' | 'patch' | 'entity';

function scalarSchema(field: ScalarField): JsonSchema {
  const schema: JsonSchema = {};
  switch (field.type) {
    case 'string':
      schema.type = 'string';
      if (field.maxLength !== undefined) schema.maxLength = field.maxLength;
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
  if (field.items === 'string') return { type: 'array', maxItems: field.maxItems, items: { type: 'string', maxLength: field.itemMaxLength } };
  return { type: 'array', maxItems: field.maxItems, items: {}, 'x-maxBytes': field.maxBytes, 'x-maxDepth': field.maxDepth };
}

function extSchema(field: ExtField): JsonSchema {
  return {
    type: 'object',
    properties: { ct: { type: 'string', readOnly: true }, lwt: { type: 'string', readOnly: true } },
    propertyNames: { maxLength: field.maxKeyLength },
    additionalProperties: { 'x-maxBytes': field.maxValueBytes },
    'x-maxClientKeys': field.maxKeys,
    'x-maxDepth': field.maxDepth,
  };
}

function annotate(schema: JsonSchema, field: FieldDeclaration, purpose: SchemaPurpose): JsonSchema {
  if (purpose === 'entity' && 'default' in field && field.default !== undefined) schema.default = field.default;
  if (field.description) schema.description = field.description;
  if (field.mode === 'out') schema.readOnly = true;
  return schema;
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
      for (const [key, sub] of Object.entries(field.fields)) {
        keys[key] = annotate(sub.kind === 'scalar' ? scalarSchema(sub) : arraySchema(sub), sub, purpose);
      }
      schema = { type: 'object', properties: keys, additionalProperties: false };
    } else schema = extSchema(field);
    properties[name] = annotate(schema, field, purpose);
    if (purpose === 'create' ? field.required : purpose === 'entity' && alwaysPresent(field)) required.push(name);
  }
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema.required = required;
  return schema;
}
