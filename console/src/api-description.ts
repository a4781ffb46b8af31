/**
 * What the console knows about the service, read from /openapi.json rather
 * than written here: which collections there are, their paths, the schemas
 * their create and edit forms are drawn from, their list projection, and
 * the extras a document marks (x-references, x-resolves). A collection the
 * service adds appears in the console with no change to it.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  required?: string[];
  default?: unknown;
  description?: string;
  readOnly?: boolean;
  format?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
};

type Operation = { operationId?: string; summary?: string; tags?: string[]; requestBody?: { content: Record<string, { schema: JsonSchema }> }; responses?: Record<string, { content?: Record<string, { schema: JsonSchema }> }>; 'x-resolves'?: string };
type PathItem = Record<string, Operation> & { 'x-references'?: Record<string, string> };
export interface OpenApiDocument {
  paths: Record<string, PathItem>;
  tags?: { name: string; description?: string }[];
  components: { schemas: Record<string, JsonSchema> };
}

export interface CollectionDescription {
  name: string;
  /** What one entity is called: recordrule. */
  entity: string;
  description: string;
  path: string;
  /** The schema a create validates against (readOnly fields marked). */
  create: JsonSchema;
  /** The schema a PATCH validates against. */
  patch: JsonSchema;
  /** The dotted keys a list shows without a mask. */
  listColumns: string[];
  /** Fields that name an entity of another collection: dotted path -> that collection. */
  references: Record<string, string>;
  /** Every dotted leaf of the entity: what a mask, a filter or an order may name. */
  fields: string[];
  /** A path that resolves a field's value to its entity (the URL an external system calls with a token). */
  resolver?: { path: string; field: string };
}

export interface ServiceDescription {
  collections: CollectionDescription[];
  calendar?: { path: string; patch: JsonSchema };
  decisionsPath?: string;
  eventsPath?: string;
}

const LOOKUP_SUFFIX = ':lookup';

/** Follows `$ref`s into the document's schemas, everywhere in the schema. */
export function resolveSchema(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolveSchema(document, document.components.schemas[name]);
  }
  const resolved: JsonSchema = { ...schema };
  if (schema.properties) resolved.properties = Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, resolveSchema(document, value)]));
  if (schema.items) resolved.items = resolveSchema(document, schema.items);
  if (schema.anyOf) resolved.anyOf = schema.anyOf.map((part) => resolveSchema(document, part));
  if (schema.oneOf) resolved.oneOf = schema.oneOf.map((part) => resolveSchema(document, part));
  return resolved;
}

/** Dotted leaves: composite objects with declared keys (opts, ext) open into `opts.title`. */
export function leafKeys(schema: JsonSchema, prefix = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, value]) =>
    value.properties && typeof value.type === 'string' && value.type === 'object' && prefix === '' ? leafKeys(value, `${key}.`) : [`${prefix}${key}`],
  );
}

/** The schema of a dotted key within an object schema. */
export function schemaAt(schema: JsonSchema, key: string): JsonSchema | undefined {
  const [top, rest] = key.split(/\.(.*)/s, 2);
  const field = schema.properties?.[top];
  return rest === undefined || rest === '' ? field : field && schemaAt(field, rest);
}

const bodySchema = (operation: Operation | undefined) => operation?.requestBody?.content['application/json']?.schema;
const answerSchema = (operation: Operation | undefined, status = '200') => operation?.responses?.[status]?.content?.['application/json']?.schema;

export function describeService(document: OpenApiDocument): ServiceDescription {
  const { paths } = document;
  const collections: CollectionDescription[] = [];
  for (const [path, item] of Object.entries(paths)) {
    // A collection is a path with a create operation and an AIP-136 lookup beside it.
    if (!item.post?.operationId?.startsWith('create') || !paths[`${path}${LOOKUP_SUFFIX}`]) continue;
    const name = item.post.tags?.[0] ?? path;
    const createBody = bodySchema(item.post);
    const create = resolveSchema(document, createBody?.oneOf?.[0] ?? createBody ?? {});
    const patch = resolveSchema(document, bodySchema(paths[`${path}/{id}`]?.patch) ?? {});
    const whole = resolveSchema(document, answerSchema(paths[`${path}/{id}`]?.patch) ?? {});
    const listItem = resolveSchema(document, answerSchema(item.get)?.items?.anyOf?.[0] ?? {});
    const resolverEntry = Object.entries(paths).find(([, other]) => other.get?.['x-resolves'] && other.get.tags?.[0] === name);
    collections.push({
      name,
      // "Create a recordrule"
      entity: /^Create an? (.+)$/.exec(item.post.summary ?? '')?.[1] ?? name,
      description: document.tags?.find((tag) => tag.name === name)?.description ?? '',
      path,
      create,
      patch,
      listColumns: leafKeys(listItem),
      references: (item['x-references'] as Record<string, string> | undefined) ?? {},
      fields: leafKeys(whole),
      resolver: resolverEntry && { path: resolverEntry[0].replace(/\/\{value\}$/, ''), field: resolverEntry[1].get['x-resolves']! },
    });
  }
  const calendarEntry = Object.entries(paths).find(([, item]) => item.patch?.operationId === 'patchCalendar');
  const decisionsEntry = Object.entries(paths).find(([, item]) => item.post?.operationId === 'decideRecording');
  const eventsEntry = Object.entries(paths).find(([, item]) => item.get?.operationId === 'streamChanges');
  return {
    collections,
    calendar: calendarEntry && { path: calendarEntry[0], patch: resolveSchema(document, bodySchema(calendarEntry[1].patch) ?? {}) },
    decisionsPath: decisionsEntry?.[0],
    eventsPath: eventsEntry?.[0],
  };
}
