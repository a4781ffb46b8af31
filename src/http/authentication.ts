/**
 * Every /rest request runs in the domain of its API key
 * (`Authorization: Bearer <key>`). Read-only keys may GET, HEAD and LOOKUP;
 * writes need a read-write key. Missing or unknown keys get 401/1401, a
 * write with a read-only key 403/1403, before the body is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashApiKey } from '../auth/api-keys.js';
import type { ApiKeyRecord, Store } from '../store/store.js';
import { errors } from './errors.js';
import { requestMethod } from './extension-method-routing.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's domain; every collection operation is scoped to it. */
    domain: string;
  }
}

export const PROTECTED_PREFIX = '/rest/';
const READ_METHODS = new Set(['GET', 'HEAD', 'LOOKUP']);
const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)[ \t]*$/i;
// Recently seen keys are trusted this long without asking the store again.
const CACHE_MS = 10_000;
const CACHE_ENTRIES = 10_000;

type Grant = Pick<ApiKeyRecord, 'domain' | 'role'>;

export function registerAuthentication(app: FastifyInstance, store: Store): void {
  const cache = new Map<string, { grant: Grant; until: number }>();

  async function grantFor(keyHash: string): Promise<Grant | undefined> {
    const cached = cache.get(keyHash);
    if (cached && cached.until > Date.now()) return cached.grant;
    const grant = await store.findApiKey(keyHash);
    if (!grant) return undefined;
    if (cache.size >= CACHE_ENTRIES) cache.clear();
    cache.set(keyHash, { grant, until: Date.now() + CACHE_MS });
    return grant;
  }

  app.decorateRequest('domain', '');
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith(PROTECTED_PREFIX)) return;
    const match = BEARER.exec(request.headers.authorization ?? '');
    const grant = match ? await grantFor(hashApiKey(match[1])) : undefined;
    if (!grant) throw errors.unauthorized();
    if (grant.role !== 'read-write' && !READ_METHODS.has(requestMethod(request))) throw errors.forbidden();
    request.domain = grant.domain;
  });
}
