/**
 * The shapes a read answers with, derived from the entity schema: what
 * `mask` and the list projection select, and the dotted keys of `flat`.
 * They follow query/projection.ts and entity/rows.ts toEntity: a field
 * that is always stored is always shown unless a mask leaves it out.
 */
import type { CollectionModel, Projection } from '../collections/model.js';
import type { JsonSchema } from '../entity/json-schema.js';

type ObjectSchema = JsonSchema & { properties: Record<string, JsonSchema>; required?: string[] };

const isObject = (schema: JsonSchema): schema is ObjectSchema => schema.type === 'object' && typeof schema.properties === 'object';

function withRequired(schema: JsonSchema, required: string[]): JsonSchema {
  const { required: _dropped, ...rest } = schema;
  return required.length > 0 ? { ...rest, required } : rest;
}

/**
 * The same shape with nothing required: under a mask any field may be left
 * out. Defaults go too: generated clients read a default as "always there".
 */
export function partial(schema: JsonSchema): JsonSchema {
  const { default: _default, ...rest } = schema;
  if (!isObject(rest)) return rest;
  const properties = Object.fromEntries(Object.entries(rest.properties).map(([name, sub]) => [name, partial(sub)]));
  return withRequired({ ...rest, properties }, []);
}

/** Only what `projection` shows: whole fields, or some keys of a composite (client ext keys are shown only whole). */
export function projected(schema: JsonSchema, projection: Projection): JsonSchema {
  if (!isObject(schema)) return schema;
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, sub] of Object.entries(schema.properties)) {
    const wanted = projection.get(name);
    if (wanted === undefined) continue;
    let shown = sub;
    if (wanted !== true && isObject(sub)) {
      const keys = Object.fromEntries(Object.entries(sub.properties).filter(([key]) => wanted.has(key)));
      const always = (sub.required ?? []).filter((key) => wanted.has(key));
      shown = withRequired({ ...sub, properties: keys, additionalProperties: false }, always);
      // A composite none of whose shown keys is set is left out, so it is present only if one of them always is.
      if (always.length > 0 && schema.required?.includes(name)) required.push(name);
    } else if (schema.required?.includes(name)) {
      required.push(name);
    }
    properties[name] = shown;
  }
  return withRequired({ ...schema, properties }, required);
}

/** `flat`: composites become dotted keys, recursively; arrays stay arrays. */
export function flatView(schema: JsonSchema): JsonSchema {
  if (!isObject(schema)) return schema;
  const properties: Record<string, JsonSchema> = {};
  const openPrefixes: string[] = [];
  const required: string[] = [];
  for (const [name, sub] of Object.entries(schema.properties)) {
    const always = schema.required?.includes(name) ?? false;
    if (!isObject(sub)) {
      properties[name] = sub;
      if (always) required.push(name);
      continue;
    }
    for (const [key, keySchema] of Object.entries(sub.properties)) {
      properties[`${name}.${key}`] = keySchema;
      if (always && sub.required?.includes(key)) required.push(`${name}.${key}`);
    }
    // A composite open to the client's own keys (ext) flattens them too: `ext.source`, `ext.a.b`.
    if (sub.additionalProperties !== false) openPrefixes.push(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`);
  }
  const { description: _description, additionalProperties: _closed, ...rest } = schema;
  const flat: JsonSchema = { ...rest, properties };
  if (openPrefixes.length === 0) flat.additionalProperties = false;
  else {
    // The key set is closed by its names rather than by additionalProperties: generated
    // clients turn open properties into an index signature that swallows the declared ones.
    flat.propertyNames = { anyOf: [{ enum: Object.keys(properties) }, ...openPrefixes.map((pattern) => ({ pattern }))] };
  }
  return withRequired(flat, required);
}

/** Named views of one collection's entity for the components section. */
export function entityViews(model: CollectionModel, entity: JsonSchema): { full: JsonSchema; flat: JsonSchema; list: JsonSchema; listFlat: JsonSchema; masked: JsonSchema; maskedFlat: JsonSchema } {
  const list = projected(entity, model.listProjection);
  return {
    full: entity,
    flat: flatView(entity),
    list,
    listFlat: flatView(list),
    masked: partial(entity),
    maskedFlat: partial(flatView(entity)),
  };
}
