/**
 * The OpenAPI 3.1 document, derived from the collection models: schemas from
 * the same JSON Schema that validates bodies (entity/json-schema.ts), the
 * shapes reads answer with (views.ts), and one set of paths per collection.
 * It describes what the service answers, errors included, so that tools
 * that trust it (validating proxies, generated clients) agree with the wire.
 *
 * LOOKUP is not an OpenAPI 3.1 method. It is described as the custom-method
 * operation `POST <collection>:lookup`, as the override form of POST, and,
 * for tools that read the OpenAPI 3.2 shape, with QUERY under
 * `x-additionalOperations` on the collection path.
 */
import http from 'node:http';
import type { CollectionModel } from '../collections/model.js';
import { entitySchema, NUL_FREE_PATTERN, UUID_PATTERN, type JsonSchema } from '../entity/json-schema.js';
import { EVENTS_PATH, LOOKUP_SUFFIX } from '../collections/api-paths.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../query/params.js';
import { entityViews } from './views.js';

export interface DocumentOptions {
  version: string;
  /** Largest request body in bytes (413 above it). */
  bodyLimit: number;
}

const HEALTH_PATH = '/healthz';
// The front layer's limits (http/extension-methods.ts): request targets, and Node's header section limit.
const MAX_TARGET_BYTES = 8192;

const pascal = (name: string) => name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

export type Status = '400' | '401' | '403' | '404' | '408' | '409' | '413' | '414' | '415' | '431' | '500' | '503';

function errorDescriptions(bodyLimit: number): Record<Status, string> {
  return {
    '400': 'Bad input: malformed JSON or HTTP, wrong types, unknown fields or parameters, U+0000 in the URL or body; error_details names every offending field',
    '401': 'No valid API key: send `Authorization: Bearer <key>`',
    '403': 'The API key may not do this: a read-only key only reads, a decider key only asks for recording decisions',
    '404': 'Not found',
    '408': 'The request head did not arrive in time; the connection is closed',
    '409': 'An entity with this id already exists in the domain, or (DELETE) other entities still refer to this one; error_message says how many',
    '413': `Request body larger than ${bodyLimit} bytes`,
    '414': `Request target longer than ${MAX_TARGET_BYTES} bytes`,
    '415': 'Content-Type is not application/json',
    '431': `Request header section larger than ${http.maxHeaderSize} bytes`,
    '500': 'Unexpected failure',
    '503': 'Storage unavailable; retry later',
  };
}

// What every request may be answered with, whatever it asks for.
const ANY_REQUEST: Status[] = ['400', '408', '414', '431', '500', '503'];
/** What a /rest request any key may make can meet. */
export const ANY_KEY: Status[] = [...ANY_REQUEST, '401'];
// A decider key may only ask for recording decisions: everything else answers it 403.
export const API_REQUEST: Status[] = [...ANY_KEY, '403'];
export const WITH_BODY: Status[] = ['413', '415'];

export interface OperationSpec {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  parameters?: unknown[];
  requestBody?: unknown;
  success: Record<string, unknown>;
  errors: Status[];
  /** A 404 this operation can answer, and what it means. */
  notFound?: string;
  security?: unknown[];
}

export function operation(spec: OperationSpec, head = false): Record<string, unknown> {
  const responses: Record<string, unknown> = { ...spec.success };
  for (const status of [...new Set([...spec.errors, ...(spec.notFound ? (['404'] as const) : [])])].sort()) {
    if (status === '404') responses[status] = head ? { description: spec.notFound } : { description: spec.notFound, content: json(ref('Error')) };
    else responses[status] = head ? { description: `${http.STATUS_CODES[status]}, without a body` } : { $ref: `#/components/responses/Error${status}` };
  }
  const result: Record<string, unknown> = { tags: spec.tags, operationId: spec.operationId, summary: spec.summary, description: spec.description };
  if (spec.security) result.security = spec.security;
  if (spec.parameters) result.parameters = spec.parameters;
  if (spec.requestBody) result.requestBody = spec.requestBody;
  result.responses = responses;
  return result;
}

/** HEAD of a GET operation: the same parameters and statuses, no bodies. */
export function headOf(spec: OperationSpec): Record<string, unknown> {
  const [status, answer] = Object.entries(spec.success)[0] as [string, { description: string }];
  return operation(
    {
      ...spec,
      operationId: `${spec.operationId}Head`,
      summary: `${spec.summary} (headers only)`,
      description: `HEAD of \`${spec.operationId}\`: the same status and headers, no body.`,
      success: { [status]: { description: answer.description } },
    },
    true,
  );
}

const nulFree = (schema: JsonSchema) => ({ ...schema, pattern: NUL_FREE_PATTERN });

const parameters = {
  filter: {
    name: 'filter',
    in: 'query',
    schema: nulFree({ type: 'string' }),
    description:
      'JSON: an object of equalities (`{"dir":"incoming"}`, `null` meaning unset) or a prefix expression (`["and", ["==", ["property","dir"], "incoming"], ...]`) with ==, !=, >, >=, <, <=, in, like (`*` wildcard), isnull, and, or, not. At most 200 terms, 16 levels, 1000 `in` values.',
  },
  mask: {
    name: 'mask',
    in: 'query',
    schema: nulFree({ type: 'string' }),
    description: 'Comma-separated fields to return: whole fields (`opts`), dotted keys (`opts.title`, `ext.ct`, `ext.<client key>`). Unset keys are left out. The answer is then the `…Masked` (or, with flat, `…MaskedFlat`) shape.',
  },
  offset: { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 9999999999, default: 0 }, description: 'Entities to skip.' },
  limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }, description: 'Most entities to return.' },
  order: {
    name: 'order',
    in: 'query',
    schema: nulFree({ type: 'string' }),
    description: 'JSON array of at most 16 field names or `{"<field>": "asc"|"desc"}`; `id` always breaks ties. Default: creation time, then id.',
  },
  flat: {
    name: 'flat',
    in: 'query',
    schema: { type: 'boolean', default: false },
    description: 'Composite fields as dotted keys (`{"opts.title": ""}`); arrays stay arrays. Also accepts 1/0. The answer is then the `…Flat` shape.',
  },
};
const paramRef = (name: keyof typeof parameters) => ({ $ref: `#/components/parameters/${name}` });

function collectionPaths(model: CollectionModel): Record<string, unknown> {
  const entity = pascal(model.entity);
  const plural = pascal(model.name);
  const tags = [model.name];
  const keys = model.declaration.lookupKeys.join(', ');
  const lookupKey = {
    ...nulFree({ type: 'string' }),
    description: `The key, matched against ${keys}. Ids match case-insensitively; an empty key matches nothing.`,
  };
  const lookupBody = { required: true, content: json(lookupKey) };
  const lookupAnswer = { '200': { description: 'Ids of every matching entity, in the default order', content: json(ref('LookupResult')) } };
  const lookupSpec: OperationSpec = {
    tags,
    operationId: `lookup${plural}`,
    summary: `Find ${model.name} ids by key (${keys})`,
    description:
      `The collection's LOOKUP (\`LOOKUP ${model.path}\`) as an AIP-136 custom method. The same operation answers, identically, ` +
      `\`LOOKUP ${model.path}\`, \`QUERY ${model.path}\` and \`POST ${model.path}\` with \`X-HTTP-Method-Override: LOOKUP\`. ` +
      'The body is the key as a JSON string; anything else is a 400. Read-only keys may use it.',
    requestBody: lookupBody,
    success: lookupAnswer,
    errors: [...API_REQUEST, ...WITH_BODY],
    notFound: 'Lookup failed: no entity has this key',
  };
  const readShapes = (first: string, firstFlat: string) => ({
    anyOf: [ref(first), ref(firstFlat), ref(`${entity}Masked`), ref(`${entity}MaskedFlat`)],
    description: `Without mask or flat: ${first}. With flat: ${firstFlat}. With mask: ${entity}Masked, or ${entity}MaskedFlat with flat too.`,
  });
  const list: OperationSpec = {
    tags,
    operationId: `list${plural}`,
    summary: `List ${model.name}`,
    description: `Entities of the caller's domain. Without \`mask\` each shows the list projection (${model.declaration.listProjection.join(', ')}).`,
    parameters: (['filter', 'mask', 'offset', 'limit', 'order', 'flat'] as const).map(paramRef),
    success: { '200': { description: 'The page of entities', content: json({ type: 'array', items: readShapes(`${entity}ListItem`, `${entity}ListItemFlat`) }) } },
    errors: API_REQUEST,
  };
  const create: OperationSpec = {
    tags,
    operationId: `create${entity}`,
    summary: `Create a ${model.entity}`,
    description:
      `Stores a new ${model.entity} and answers it whole. \`id\` may be given (a UUID), else it is generated; server-set fields may not be sent. ` +
      `With \`X-HTTP-Method-Override: LOOKUP\` this is \`lookup${plural}\` instead: a JSON string body, answered with ids.`,
    parameters: [
      {
        name: 'X-HTTP-Method-Override',
        in: 'header',
        required: false,
        schema: { type: 'string', enum: ['LOOKUP'] },
        description: 'LOOKUP, for gateways that pass only standard methods. Accepted only on POST and only with this value; anything else is a 400.',
      },
    ],
    requestBody: { required: true, content: json({ oneOf: [ref(`${entity}Create`), lookupKey], description: `${entity}Create; with the override, the lookup key` }) },
    success: {
      '200': {
        description: 'The stored entity; with the override, the ids found',
        content: json({ oneOf: [ref(entity), ref('LookupResult')] }),
      },
    },
    errors: [...API_REQUEST, ...WITH_BODY, '403', '409'],
    notFound: 'With the override only: Lookup failed',
  };
  const idParameter = {
    name: 'id',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The entity id, a UUID, matched case-insensitively; anything else is simply not found.',
  };
  const notFound = `${model.entity} not found in the caller's domain`;
  const get: OperationSpec = {
    tags,
    operationId: `get${entity}`,
    summary: `Get one ${model.entity}`,
    description: 'The whole entity, client ext keys and optional opts keys included, unless `mask` selects part of it.',
    parameters: (['mask', 'flat'] as const).map(paramRef),
    success: { '200': { description: 'The entity', content: json(readShapes(entity, `${entity}Flat`)) } },
    errors: API_REQUEST,
    notFound,
  };
  const patch: OperationSpec = {
    tags,
    operationId: `patch${entity}`,
    summary: `Change a ${model.entity}`,
    description:
      'Top-level fields replace; opts keys merge one by one (`null` resets a key to its default); ext keys merge (`null` removes a client key). ' +
      'Read-only fields may be sent back only with their stored value, so a GET-modify-PATCH round trip works; ext.ct and ext.lwt sent back are ignored. ' +
      'A PATCH with any invalid field changes nothing.',
    requestBody: { required: true, content: json(ref(`${entity}Patch`)) },
    success: { '200': { description: 'The stored entity', content: json(ref(entity)) } },
    errors: [...API_REQUEST, ...WITH_BODY, '403'],
    notFound,
  };
  const remove: OperationSpec = {
    tags,
    operationId: `delete${entity}`,
    summary: `Delete a ${model.entity}`,
    description:
      'Deletes the entity. A body is not needed; one that is sent must still be JSON within the size limit.' +
      (model.referencedBy.length > 0 ? ` While ${model.referencedBy.map(({ from }) => from.name).join(', ')} of the domain name it, the answer is a 409 and nothing is deleted.` : ''),
    success: { '204': { description: 'Deleted' } },
    // An entity others name (a storagerule that recordrules use) cannot go while they do.
    errors: [...API_REQUEST, ...WITH_BODY, '403', ...(model.referencedBy.length > 0 ? (['409'] as const) : [])],
    notFound,
  };
  const additional = (method: string) => ({ ...operation({ ...lookupSpec, operationId: `${lookupSpec.operationId}${pascal(method.toLowerCase())}` }), description: `${method} form of lookup${plural}.` });
  const paths: Record<string, unknown> = {
    [model.path]: {
      description:
        `${model.declaration.description ?? ''} Also answers LOOKUP and QUERY (the OpenAPI 3.2 shape is under x-additionalOperations), ` +
        `as lookup${plural} does. Other methods: 405 with Allow.`.trim(),
      get: operation(list),
      head: headOf(list),
      post: operation(create),
      'x-additionalOperations': { LOOKUP: additional('LOOKUP'), QUERY: additional('QUERY') },
      // Fields naming an entity of another collection, by dotted path, so a client (the console) can show the entity, not a bare uuid.
      ...(model.references.length > 0 ? { 'x-references': Object.fromEntries(model.references.map(({ leaf, to }) => [leaf.path, to.name])) } : {}),
    },
    [`${model.path}${LOOKUP_SUFFIX}`]: { description: 'AIP-136 custom method: LOOKUP for clients that send only standard methods. Other methods: 405.', post: operation(lookupSpec) },
    [`${model.path}/{id}`]: {
      description: 'One entity. Other methods: 405 with Allow.',
      parameters: [idParameter],
      get: operation(get),
      head: headOf(get),
      patch: operation(patch),
      delete: operation(remove),
    },
  };
  for (const resolver of model.declaration.resolvers ?? []) {
    const resolve: OperationSpec = {
      tags,
      operationId: `resolve${entity}By${pascal(resolver.field)}`,
      summary: `The ${model.entity} whose ${resolver.field} this is`,
      description: `Finds the ${model.entity} of the caller's domain whose ${resolver.field} is the value in the path, and links to it.`,
      parameters: [{ name: 'value', in: 'path', required: true, schema: { type: 'string' }, description: `A ${resolver.field}` }],
      success: { '200': { description: 'Its id and a link to it', content: json(ref('Link')) } },
      errors: API_REQUEST,
      notFound: resolver.notFound,
    };
    // x-resolves names the field the path's value is, for clients that show the URL of an entity's token.
    const get = { ...operation(resolve), 'x-resolves': resolver.field };
    paths[`${resolver.path}/{value}`] = { description: 'Read-only. Other methods: 405 with Allow.', get, head: headOf(resolve) };
  }
  return paths;
}

function serviceSchemas(models: readonly CollectionModel[], feed: FeedCollection[]): Record<string, JsonSchema> {
  const uuid = { type: 'string', pattern: `^${UUID_PATTERN}$` };
  return {
    Error: {
      type: 'object',
      required: ['error_code', 'error_message'],
      properties: {
        error_code: { type: 'integer', minimum: 1400, maximum: 1599, description: '1000 + HTTP status' },
        error_message: { type: 'string' },
        error_details: {
          type: 'array',
          description: 'Every offending field or parameter, when fields are at fault',
          items: {
            type: 'object',
            required: ['field', 'message'],
            properties: { field: { type: 'string', description: 'Dotted for nested fields: opts.title' }, message: { type: 'string' } },
            additionalProperties: false,
          },
        },
      },
      additionalProperties: false,
    },
    LookupResult: { type: 'array', items: uuid, minItems: 1, description: 'Ids of the matching entities' },
    Link: {
      type: 'object',
      required: ['id', '_links'],
      properties: {
        id: uuid,
        _links: {
          type: 'object',
          required: ['self'],
          properties: { self: { type: 'object', required: ['href'], properties: { href: { type: 'string' } }, additionalProperties: false } },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    Health: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } }, additionalProperties: false },
    ChangeEvent: {
      type: 'object',
      description: 'The data of one event, as JSON: which entity changed and how',
      required: ['op', 'collection', 'id'],
      properties: {
        op: { type: 'string', enum: ['create', 'update', 'delete'] },
        collection: { type: 'string', enum: [...models.map((model) => model.name), ...feed.map(({ name }) => name)] },
        id: feed.length === 0 ? uuid : { type: 'string', description: ['The entity id, a UUID', ...feed.map(({ name, id }) => `for ${name}, ${id}`)].join('; ') },
      },
      additionalProperties: false,
    },
  };
}

function servicePaths(models: readonly CollectionModel[], feed: FeedCollection[]): Record<string, unknown> {
  const health: OperationSpec = {
    tags: ['service'],
    operationId: 'health',
    summary: 'Ready when the store answers',
    description: 'Needs no key. 503 while the store cannot be reached, so a load balancer takes the node out.',
    security: [],
    success: { '200': { description: 'Healthy', content: json(ref('Health')) } },
    errors: ANY_REQUEST,
  };
  const names = [...models.map((model) => model.name), ...feed.map(({ name }) => name)];
  const events: OperationSpec = {
    tags: ['changes'],
    operationId: 'streamChanges',
    summary: "Change feed: the caller's domain's writes as Server-Sent Events",
    description:
      'One event per create, update or delete: `id:` a sequence number, `event:` the op, `data:` a ChangeEvent as JSON. ' +
      'A comment line every 15 s keeps proxies from closing the stream. Delivery is at most once: a client that reconnects does not get what it missed.',
    parameters: [{ name: 'collection', in: 'query', schema: { type: 'string', enum: names }, description: 'Only changes of this collection' }],
    success: {
      '200': {
        description: 'The stream; it stays open until the client or the service closes it',
        content: {
          'text/event-stream': {
            schema: { type: 'string', description: 'Server-Sent Events; each `data:` line is a ChangeEvent' },
            // OpenAPI 3.2's itemSchema: the shape of each event.
            'x-itemSchema': {
              type: 'object',
              required: ['event', 'data'],
              properties: { id: { type: 'string' }, event: { type: 'string', enum: ['create', 'update', 'delete'] }, data: { contentMediaType: 'application/json', contentSchema: ref('ChangeEvent') } },
            },
            example: `: connected\n\nid: 1\nevent: create\ndata: {"op":"create","collection":"${names[0]}","id":"01890a5d-ac96-774b-bcce-b302099a8057"}\n\n`,
          },
        },
      },
    },
    errors: API_REQUEST,
  };
  return {
    [HEALTH_PATH]: { get: operation(health), head: headOf(health) },
    [EVENTS_PATH]: { get: operation(events), head: headOf(events) },
  };
}

/** A collection of the change feed that is not a collection model (the calendar). */
export interface FeedCollection {
  name: string;
  /** What its events' id is. */
  id: string;
}

/**
 * What the HTTP layer serves besides collections (the calendar, recording
 * decisions): described there, from the schemas that validate them, since
 * this module sits below the modules that own them.
 */
export interface ExtraPaths {
  paths: Record<string, unknown>;
  tags: { name: string; description: string }[];
  schemas?: Record<string, JsonSchema>;
  /** Collections the change feed announces besides the models. */
  feed?: FeedCollection[];
}

export function openApiDocument(
  models: readonly CollectionModel[],
  { version, bodyLimit }: DocumentOptions,
  extra: ExtraPaths = { paths: {}, tags: [] },
): Record<string, unknown> {
  const feed = extra.feed ?? [];
  const schemas = { ...serviceSchemas(models, feed), ...extra.schemas };
  for (const model of models) {
    const entity = pascal(model.entity);
    const views = entityViews(model, entitySchema(model, 'entity'));
    schemas[entity] = { ...views.full, description: `A stored ${model.entity}, whole: POST and PATCH answer it, and GET without mask or flat.` };
    schemas[`${entity}Flat`] = { ...views.flat, description: `A whole ${model.entity} with flat=true: composite fields as dotted keys.` };
    schemas[`${entity}ListItem`] = { ...views.list, description: `A ${model.entity} in a list without mask: the list projection.` };
    schemas[`${entity}ListItemFlat`] = { ...views.listFlat, description: `The list projection with flat=true.` };
    schemas[`${entity}Masked`] = { ...views.masked, description: `What a mask selects of a ${model.entity}: any of its fields.` };
    schemas[`${entity}MaskedFlat`] = { ...views.maskedFlat, description: `What a mask selects, with flat=true.` };
    schemas[`${entity}Create`] = entitySchema(model, 'create');
    schemas[`${entity}Patch`] = entitySchema(model, 'patch');
  }
  const descriptions = errorDescriptions(bodyLimit);
  const responses = Object.fromEntries(
    (Object.keys(descriptions) as Status[])
      .filter((status) => status !== '404')
      .map((status) => {
        const response: Record<string, unknown> = { description: descriptions[status], content: json(ref('Error')) };
        if (status === '401') response.headers = { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } };
        return [`Error${status}`, response];
      }),
  );
  const lookups = models.map((model) => `\`POST ${model.path}${LOOKUP_SUFFIX}\``).join(', ');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Collection service',
      version,
      contact: { name: 'collection-service maintainers' },
      description: [
        'Telephony configuration collections.',
        '',
        '**Authorisation.** Every /rest request needs `Authorization: Bearer <key>` and runs in the domain of that key. ' +
          'In this page, press **Authorize** and paste an API key: the one the service wrote to `data/bootstrap-key` on its first start, ' +
          'or one made with `collection-service admin create-key <domain>`. Read-only keys may GET, HEAD and LOOKUP (in every form). ' +
          'Every key may ask for a recording decision; a decider key may do nothing else, in every domain of the call.',
        '',
        `**LOOKUP** (key → ids) is the custom-method operation of each collection (${lookups}); ` +
          'the extension method LOOKUP, QUERY and POST with `X-HTTP-Method-Override: LOOKUP` answer the same.',
        '',
        `**Change feed:** \`GET ${EVENTS_PATH}\`, Server-Sent Events of every write in the domain.`,
        '',
        `**Errors** are JSON \`{"error_code": 1000 + status, "error_message", "error_details"?}\`. A method a path does not serve gets 405 with Allow. ` +
          `Limits: bodies up to ${bodyLimit} bytes (413), request targets up to ${MAX_TARGET_BYTES} bytes (414), header sections up to ${http.maxHeaderSize} bytes (431), ` +
          'request heads within the head timeout (408); U+0000 is refused in URLs and bodies (400).',
      ].join('\n'),
    },
    servers: [{ url: '/', description: 'The service that serves this document' }],
    tags: [
      ...models.map((model) => ({ name: model.name, description: model.declaration.description ?? model.name })),
      ...extra.tags,
      { name: 'changes', description: 'The change feed' },
      { name: 'service', description: 'Health of the node' },
    ],
    security: [{ bearer: [] }],
    paths: { ...Object.assign({}, ...models.map(collectionPaths)), ...extra.paths, ...servicePaths(models, feed) },
    components: {
      schemas,
      parameters,
      responses,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `data/bootstrap-key`, or `collection-service admin create-key <domain>`' } },
    },
  };
}
