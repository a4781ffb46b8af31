/**
 * U+0000 is refused in URLs and request bodies. PostgreSQL text and jsonb
 * cannot hold it while SQLite can; refusing it at the edge keeps both stores
 * answering the same, with a 400 instead of a storage error.
 */
import type { FastifyInstance } from 'fastify';
import { errors, invalidField } from '../errors.js';

/** The dotted path of the first string (or key) holding U+0000, '' for the body itself. */
function nulPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return childPath;
    const found = nulPath(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

// Hooks in callback style: no promise per request for a check that never waits.
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    done(/%00/i.test(request.url) ? errors.badRequest('NUL characters (%00) are not allowed in the URL') : undefined);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const path = request.body === undefined ? undefined : nulPath(request.body);
    done(path === undefined ? undefined : invalidField(path || 'body', 'must not contain NUL (\\u0000) characters'));
  });
}
