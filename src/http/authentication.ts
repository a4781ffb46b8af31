/**
 * Deny by default: every request needs an API key
 * (`Authorization: Bearer <key>`) unless the route it matched is on the
 * public list (public-routes.ts); a request that matches no route needs one
 * too. The request then runs in the key's domain. Read-only keys may GET,
 * HEAD and LOOKUP (in any of its forms, QUERY included); writes need a
 * read-write key. Asking for a recording decision changes nothing: every
 * key may; a decider key may do only that. Every key may ask who it is
 * (GET /rest/v1/whoami). Missing or unknown keys get
 * 401/1401, a request the role does not allow 403/1403, before the body is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashApiKey } from '../auth/api-keys.js';
import type { ApiKeyRecord, Store } from '../store/store.js';
import { DECISIONS_PATH, WHOAMI_PATH } from '../collections/api-paths.js';
import { errors } from '../errors.js';
import { servedMethod } from './lookup-forms.js';
import { isPublicRoute } from './public-routes.js';
import { fieldCount } from './header-fields.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The domain of the caller's API key; null until a key admitted the request. */
    domain: string | null;
    /** The role of the caller's key. */
    keyRole: ApiKeyRecord['role'];
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'LOOKUP', 'QUERY']);
const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)[ \t]*$/i;
// Recently seen keys are trusted this long without asking the store again.
const CACHE_MS = 10_000;
const CACHE_ENTRIES = 10_000;

type Grant = Pick<ApiKeyRecord, 'domain' | 'role'>;

/**
 * The domain every store call of this request is scoped to. There is no
 * key-less domain: a request no key admitted never reaches the store.
 */
export function callerDomain(request: FastifyRequest): string {
  const { domain } = request;
  if (!domain) throw errors.unauthorized();
  return domain;
}

export function registerAuthentication(app: FastifyInstance, store: Store): void {
  // Keyed by the presented key: a request with a recently seen key is not hashed again.
  const cache = new Map<string, { grant: Grant; until: number }>();

  async function lookUp(key: string): Promise<Grant | undefined> {
    const grant = await store.findApiKey(hashApiKey(key));
    if (!grant) return undefined;
    if (cache.size >= CACHE_ENTRIES) cache.clear();
    cache.set(key, { grant, until: Date.now() + CACHE_MS });
    return grant;
  }

  /** Scopes the request to the grant's domain; otherwise the error to answer with. */
  function admit(request: FastifyRequest, grant: Grant | undefined): Error | undefined {
    if (!grant || !grant.domain) return errors.unauthorized();
    const method = servedMethod(request);
    // The matched route, as for the public list: the router's view of the path, not the raw target.
    const deciding = method === 'POST' && request.routeOptions.url === DECISIONS_PATH;
    // Any key may read its own grant: a console must learn what it may show before anything else.
    const askingWhoItIs = (method === 'GET' || method === 'HEAD') && request.routeOptions.url === WHOAMI_PATH;
    if (grant.role === 'decider' && !deciding && !askingWhoItIs) return errors.deciderOnly();
    if (grant.role === 'read-only' && !READ_METHODS.has(method) && !deciding) return errors.forbidden();
    request.domain = grant.domain;
    request.keyRole = grant.role;
    return undefined;
  }

  app.decorateRequest('domain', null);
  app.decorateRequest('keyRole', 'read-only');
  // Callback style: a cached key is admitted without a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    // The matched pattern, undefined when nothing matched: unknown paths are not public.
    const route = request.routeOptions.url;
    if (route !== undefined && isPublicRoute(route)) return done();
    if (fieldCount(request.raw.rawHeaders, 'authorization') > 1) return done(errors.badRequest('Authorization must be sent once'));
    const key = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (key === undefined) return done(errors.unauthorized());
    const cached = cache.get(key);
    if (cached && cached.until > Date.now()) return done(admit(request, cached.grant));
    lookUp(key).then((grant) => done(admit(request, grant)), done);
  });
}
