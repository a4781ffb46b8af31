/**
 * GET /rest/v1/whoami: the domain and role of the caller's own key, so a
 * client (the console) can show where it works and offer only what the key
 * may do. Every role may ask; it reveals nothing the key's holder lacks.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WHOAMI_PATH } from '../collections/api-paths.js';
import { invalidField } from '../errors.js';
import { callerDomain } from './authentication.js';

export { WHOAMI_PATH };

export function registerWhoamiRoute(app: FastifyInstance): void {
  app.get(WHOAMI_PATH, async (request: FastifyRequest) => {
    const [name] = Object.keys(request.query as object);
    if (name !== undefined) throw invalidField(name, 'unknown parameter; this operation takes none');
    return { domain: callerDomain(request), role: request.keyRole };
  });
}
