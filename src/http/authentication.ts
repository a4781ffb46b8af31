/**
 * Every /rest request runs in the domain of its API key
 * (`Authorization: Bearer <key>`). Read-only keys may GET, HEAD and LOOKUP
 * (in any of its forms, QUERY included); writes need a read-write key.
 * Asking for a recording decision changes nothing: every key may; a decider
 * key may do only that. Every key may ask who it is (GET /rest/v1/whoami).
 * Missing or unknown keys get 401/1401, a request the
 * role does not allow 403/1403, before the body is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashApiKey } from '../auth/api-keys.js';
import type { ApiKeyRecord, Store } from '../store/store.js';
import { DECISIONS_PATH, WHOAMI_PATH } from '../collections/api-paths.js';
import { errors } from '../errors.js';
import { escapeRegExp } from './collection-routes.js';
import { servedMethod } from './lookup-forms.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's domain; every collection operation is scoped to it. */
    domain: string;
    /** The role of the caller's key. */
    keyRole: ApiKeyRecord['role'];
  }
}

export const PROTECTED_PREFIX = '/rest/';
const READ_METHODS = new Set(['GET', 'HEAD', 'LOOKUP', 'QUERY']);
const DECISION_URL = new RegExp(`^${escapeRegExp(DECISIONS_PATH)}/?(\\?|$)`);
const WHOAMI_URL = new RegExp(`^${escapeRegExp(WHOAMI_PATH)}/?(\\?|$)`);
const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)[ \t]*$/i;
// Recently seen keys are trusted this long without asking the store again.
const CACHE_MS = 10_000;
const CACHE_ENTRIES = 10_000;

type Grant = Pick<ApiKeyRecord, 'domain' | 'role'>;

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
    if (!grant) return errors.unauthorized();
    const method = servedMethod(request);
    const deciding = method === 'POST' && DECISION_URL.test(request.url);
    // Any key may read its own grant: a console must learn what it may show before anything else.
    const askingWhoItIs = (method === 'GET' || method === 'HEAD') && WHOAMI_URL.test(request.url);
    if (grant.role === 'decider' && !deciding && !askingWhoItIs) return errors.deciderOnly();
    if (grant.role === 'read-only' && !READ_METHODS.has(method) && !deciding) return errors.forbidden();
    request.domain = grant.domain;
    request.keyRole = grant.role;
    return undefined;
  }

  app.decorateRequest('domain', '');
  app.decorateRequest('keyRole', 'read-only');
  // Callback style: a cached key is admitted without a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!request.url.startsWith(PROTECTED_PREFIX)) return done();
    const key = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (key === undefined) return done(errors.unauthorized());
    const cached = cache.get(key);
    if (cached && cached.until > Date.now()) return done(admit(request, cached.grant));
    lookUp(key).then((grant) => done(admit(request, grant)), done);
  });
}
