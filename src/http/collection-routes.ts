/**
 * The six operations of the collection convention, registered for one
 * collection model. shared/spec/CONVENTIONS.md and the seeds define each.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveFieldRef, type CollectionModel } from '../collections/model.js';
import { newRow, rowChange, toEntity, generateValue, type Entity, type Row } from '../entity/rows.js';
import { bodyValidator } from '../entity/validation.js';
import { parseItemQuery, parseListQuery, type ItemQuery } from '../query/params.js';
import { flatten } from '../query/projection.js';
import type { ChangeEvent, ChangeFeed } from '../events/change-feed.js';
import { DuplicateKeyError, MissingReferenceError, ReferencedError, type Store } from '../store/store.js';
import { errors, invalid, invalidField } from '../errors.js';
import { CARRIER_METHOD } from '../edge/methods.js';
import { callerDomain } from './authentication.js';
import { EXTENSION_METHOD_CONSTRAINT } from './extension-method-routing.js';
import { LOOKUP_SUFFIX, registerLookupForms } from './lookup-forms.js';

// A generated id or token that collides is drawn again; 128 random bits make a second clash unheard of.
const GENERATION_ATTEMPTS = 3;

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** The id in the path as stored: UUIDs are kept in lowercase. */
const idOf = (request: IdRequest) => request.params.id.toLowerCase();

function present(model: CollectionModel, row: Row, { projection, flat }: ItemQuery): Entity {
  const shown = toEntity(model, row, projection);
  return flat ? flatten(shown) : shown;
}

function noParameters(request: FastifyRequest): void {
  const [name] = Object.keys(request.query as object);
  if (name !== undefined) throw invalidField(name, 'unknown parameter; this operation takes none');
}

export function registerCollectionRoutes(app: FastifyInstance, model: CollectionModel, store: Store, feed: ChangeFeed): void {
  const validate = bodyValidator(model);
  // After the write is stored; a feed that cannot deliver does not undo it.
  const announce = (request: FastifyRequest, op: ChangeEvent['op'], id: string) =>
    void feed.publish({ op, collection: model.name, id, domain: callerDomain(request) }).catch((err) => request.log.warn({ err }, 'change not announced'));
  const itemPath = `${model.path}/:id`;
  const notFound = () => errors.entityNotFound(model.entity);

  /**
   * The store checks references inside the write (shared/spec/RECORDING.md:
   * a storagerule in use cannot be deleted, 409), so no two requests can race
   * past the check; here its answer becomes the contract's.
   */
  function referenceProblem(err: unknown): unknown {
    if (err instanceof MissingReferenceError) return invalid([{ field: err.reference.leaf.path, message: `names no ${err.reference.to.entity} of this domain` }]);
    if (err instanceof ReferencedError) return errors.inUse(model.entity, err.users, err.users === 1 ? err.reference.from.entity : err.reference.from.name);
    return err;
  }

  async function insertWithFreshValues(domain: string, row: Row, clientGiven: Set<string>): Promise<Row> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.insert(model, domain, row);
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
        const leaf = model.leafByColumn.get(err.column);
        if (!leaf) throw err;
        const regenerable = leaf.field.kind === 'scalar' && leaf.field.generated && !clientGiven.has(leaf.path);
        if (!regenerable || attempt >= GENERATION_ATTEMPTS) throw errors.duplicate(model.entity, leaf.path);
        row = { ...row, [leaf.column]: generateValue(leaf.field as never) };
      }
    }
  }

  app.post(model.path, async (request) => {
    noParameters(request);
    const body = validate.create(request.body);
    const stored = await insertWithFreshValues(callerDomain(request), newRow(model, body), new Set(Object.keys(body))).catch((err) => Promise.reject(referenceProblem(err)));
    announce(request, 'create', stored.id as string);
    return toEntity(model, stored);
  });

  app.get(model.path, async (request) => {
    const query = parseListQuery(model, request.query as Record<string, unknown>);
    const rows = await store.list(model, callerDomain(request), query);
    return rows.map((row) => present(model, row, query));
  });

  async function lookup(request: FastifyRequest) {
    noParameters(request);
    const key = request.body;
    // shared/spec/CONVENTIONS.md "LOOKUP": a JSON string body; anything else is a 400.
    if (typeof key !== 'string') throw invalidField('body', 'must be a JSON string: the key to look up');
    // An empty key would match every entity whose optional key (code) is unset.
    const ids = key === '' ? [] : await store.lookup(model, callerDomain(request), key);
    if (ids.length === 0) throw errors.lookupFailed();
    return ids;
  }
  // LOOKUP arrives as CARRIER_METHOD marked by the edge.
  app.route({ method: CARRIER_METHOD, url: model.path, constraints: { [EXTENSION_METHOD_CONSTRAINT]: 'LOOKUP' }, handler: lookup });
  registerLookupForms(app, model.path, lookup);

  app.get(itemPath, async (request: IdRequest) => {
    const query = parseItemQuery(model, request.query as Record<string, unknown>);
    const row = await store.get(model, callerDomain(request), idOf(request));
    if (!row) throw notFound();
    return present(model, row, query);
  });

  app.patch(itemPath, async (request: IdRequest) => {
    noParameters(request);
    const body = validate.patch(request.body);
    const domain = callerDomain(request);
    const id = idOf(request);
    // Reading first only serves the immutability check: immutable fields cannot change in between.
    const stored = await store.get(model, domain, id);
    if (!stored) throw notFound();
    const updated = await store.update(model, domain, id, rowChange(model, stored, body)).catch((err) => {
      const leaf = err instanceof DuplicateKeyError ? model.leafByColumn.get(err.column) : undefined;
      throw leaf ? errors.duplicate(model.entity, leaf.path) : referenceProblem(err);
    });
    if (!updated) throw notFound();
    announce(request, 'update', id);
    return toEntity(model, updated);
  });

  app.delete(itemPath, async (request: IdRequest, reply: FastifyReply) => {
    noParameters(request);
    const id = idOf(request);
    const deleted = await store.delete(model, callerDomain(request), id).catch((err) => Promise.reject(referenceProblem(err)));
    if (!deleted) throw notFound();
    announce(request, 'delete', id);
    return reply.code(204).send();
  });

  for (const resolver of model.declaration.resolvers ?? []) {
    const field = resolveFieldRef(model, resolver.field);
    if (!field) throw new Error(`${model.name}: resolver field ${resolver.field} is not a scalar field`);
    const secret = field.kind === 'column' && field.leaf.field.secret === true;
    app.get(`${resolver.path}/:value`, { config: { secretParams: secret ? ['value'] : [] } }, async (request: FastifyRequest<{ Params: { value: string } }>) => {
      noParameters(request);
      const [row] = await store.list(model, callerDomain(request), {
        filter: { kind: 'compare', op: '==', field, value: request.params.value },
        order: [],
        offset: 0,
        limit: 1,
        flat: false,
      });
      if (!row) throw errors.notFound(resolver.notFound);
      const id = row.id as string;
      return { id, _links: { self: { href: `${model.path}/${id}` } } };
    });
  }
}

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Methods each path of a collection answers, for 405 and its Allow header. */
export function collectionMethods(model: CollectionModel): { pattern: RegExp; allow: string[] }[] {
  const base = escapeRegExp(model.path);
  return [
    { pattern: new RegExp(`^${base}/?$`), allow: ['GET', 'HEAD', 'POST', 'LOOKUP', 'QUERY'] },
    { pattern: new RegExp(`^${base}${LOOKUP_SUFFIX}/?$`), allow: ['POST'] },
    { pattern: new RegExp(`^${base}/[^/]+/?$`), allow: ['GET', 'HEAD', 'PATCH', 'DELETE'] },
    ...(model.declaration.resolvers ?? []).map((resolver) => ({ pattern: new RegExp(`^${escapeRegExp(resolver.path)}/[^/]+/?$`), allow: ['GET', 'HEAD'] })),
  ];
}
