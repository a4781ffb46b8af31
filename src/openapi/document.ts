/**
 * The OpenAPI 3.1 document, derived from the collection models: schemas from
 * the same JSON Schema that validates bodies, one set of paths per
 * collection. LOOKUP is not an OpenAPI 3.1 method; it is documented as an
 * extension operation under `x-additionalOperations` on the collection path
 * (the shape OpenAPI 3.2 gives `additionalOperations`) and in the path's
 * description.
 */
import type { CollectionModel } from '../collections/model.js';
import { entitySchema, type JsonSchema } from '../entity/json-schema.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../query/params.js';

const pascal = (name: string) => name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

function errorResponse(description: string) {
  return { description, content: json(ref('Error')) };
}

export const errorResponses = {
  '400': errorResponse('Bad input: malformed JSON, wrong types, unknown fields or parameters'),
  '401': errorResponse('No valid API key'),
  '404': errorResponse('Not found'),
};

const parameters = {
  filter: { name: 'filter', in: 'query', schema: { type: 'string' }, description: 'JSON: an object of equalities ({"dir":"incoming"}) or a prefix expression (["and", ["==", ["property","dir"], "incoming"], ...]) with ==, !=, >, >=, <, <=, in, like, isnull, and, or, not.' },
  mask: { name: 'mask', in: 'query', schema: { type: 'string' }, description: 'Comma-separated fields to return; dotted paths (opts.title) allowed.' },
  offset: { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
  limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
  order: { name: 'order', in: 'query', schema: { type: 'string' }, description: 'JSON array of field names or {"field": "asc"|"desc"}; default: creation time, then id.' },
  flat: { name: 'flat', in: 'query', schema: { type: 'boolean' }, description: 'Composite fields as dotted keys ({"opts.title": ""}).' },
};
const paramRef = (name: keyof typeof parameters) => ({ $ref: `#/components/parameters/${name}` });
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

function collectionPaths(model: CollectionModel): Record<string, unknown> {
  const entity = pascal(model.entity);
  const tags = [model.name];
  const lookup = {
    tags,
    operationId: `lookup${entity}`,
    summary: `Find ${model.entity} ids by key (${model.declaration.lookupKeys.join(', ')})`,
    requestBody: { required: true, content: json({ type: 'string', description: 'The key to look up' }) },
    responses: {
      '200': { description: 'Ids of the matching entities', content: json({ type: 'array', items: { type: 'string' } }) },
      '404': errorResponse('Lookup failed'),
      '400': errorResponse('The body is not a JSON string'),
    },
  };
  const paths: Record<string, unknown> = {
    [model.path]: {
      description: `${model.declaration.description ?? ''} Also answers the extension method LOOKUP (see x-additionalOperations): \`LOOKUP ${model.path}\` with a JSON string body.`.trim(),
      get: {
        tags,
        operationId: `list${entity}`,
        summary: `List ${model.name}`,
        parameters: (['filter', 'mask', 'offset', 'limit', 'order', 'flat'] as const).map(paramRef),
        responses: { '200': { description: 'Entities; without mask, the list projection', content: json({ type: 'array', items: ref(`${entity}View`) }) }, ...errorResponses },
      },
      post: {
        tags,
        operationId: `create${entity}`,
        summary: `Create a ${model.entity}`,
        requestBody: { required: true, content: json(ref(`${entity}Create`)) },
        responses: { '200': { description: 'The stored entity', content: json(ref(entity)) }, '409': errorResponse('Duplicate id'), ...errorResponses },
      },
      'x-additionalOperations': { LOOKUP: lookup },
    },
    [`${model.path}/{id}`]: {
      parameters: [idParameter],
      get: {
        tags,
        operationId: `get${entity}`,
        summary: `Get one ${model.entity}`,
        parameters: (['mask', 'flat'] as const).map(paramRef),
        responses: { '200': { description: 'The entity', content: json(ref(`${entity}View`)) }, ...errorResponses },
      },
      patch: {
        tags,
        operationId: `patch${entity}`,
        summary: `Change a ${model.entity}: fields replace, opts and ext merge key by key`,
        requestBody: { required: true, content: json(ref(`${entity}Patch`)) },
        responses: { '200': { description: 'The stored entity', content: json(ref(entity)) }, ...errorResponses },
      },
      delete: {
        tags,
        operationId: `delete${entity}`,
        summary: `Delete a ${model.entity}`,
        responses: { '204': { description: 'Deleted' }, ...errorResponses },
      },
    },
  };
  for (const resolver of model.declaration.resolvers ?? []) {
    paths[`${resolver.path}/{value}`] = {
      get: {
        tags,
        operationId: `resolve${entity}By${pascal(resolver.field)}`,
        summary: `The ${model.entity} whose ${resolver.field} this is`,
        parameters: [{ name: 'value', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'Its id and a link to it',
            content: json({ type: 'object', properties: { id: { type: 'string' }, _links: { type: 'object', properties: { self: { type: 'object', properties: { href: { type: 'string' } } } } } } }),
          },
          ...errorResponses,
          '404': errorResponse(resolver.notFound),
        },
      },
    };
  }
  return paths;
}

/** Paths that are not collections (the calendar, decisions), described by the layer that serves them. */
export interface ExtraPaths {
  paths: Record<string, unknown>;
  tags: { name: string; description: string }[];
}

export function openApiDocument(models: readonly CollectionModel[], version: string, extra: ExtraPaths = { paths: {}, tags: [] }): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = {
    Error: {
      type: 'object',
      required: ['error_code', 'error_message'],
      properties: {
        error_code: { type: 'integer', description: '1000 + HTTP status' },
        error_message: { type: 'string' },
        error_details: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  };
  for (const model of models) {
    const entity = pascal(model.entity);
    schemas[entity] = entitySchema(model, 'entity');
    const { required: _required, ...view } = entitySchema(model, 'entity');
    schemas[`${entity}View`] = { ...view, description: 'The entity, or the part of it a mask or the list projection selects' };
    schemas[`${entity}Create`] = entitySchema(model, 'create');
    schemas[`${entity}Patch`] = entitySchema(model, 'patch');
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Collection service',
      version,
      description: 'Telephony configuration collections. Every /rest request needs `Authorization: Bearer <key>` and runs in the key\'s domain.',
    },
    tags: [
      ...models.map((model) => ({ name: model.name, description: model.declaration.description })),
      ...extra.tags,
    ],
    security: [{ bearer: [] }],
    paths: {
      ...Object.assign({}, ...models.map(collectionPaths)),
      ...extra.paths,
      '/healthz': { get: { security: [], operationId: 'health', summary: 'Ready when the store answers', responses: { '200': { description: 'Healthy' }, '503': errorResponse('Store unavailable') } } },
    },
    components: {
      schemas,
      parameters,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `collection-service admin create-key`' } },
    },
  };
}
