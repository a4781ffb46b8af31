/**
 * Text a store could not keep as sent (entity/storable-text.ts): U+0000 in
 * the URL, U+0000 or a lone surrogate in any string or key of a request body.
 * Refusing it before any handler runs keeps both stores answering the same,
 * with a 400 instead of a storage error or a silently changed value.
 */
import type { FastifyInstance } from 'fastify';
import { unstorableText } from '../entity/storable-text.js';
import { errors, invalidField } from '../errors.js';

/** The dotted path of the first string (or key) that cannot be stored, '' for the body itself, and why. */
function unstorablePath(value: unknown, path = ''): { path: string; reason: string } | undefined {
  if (typeof value === 'string') {
    const reason = unstorableText(value);
    return reason === undefined ? undefined : { path, reason };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    const reason = unstorableText(key);
    if (reason !== undefined) return { path: childPath, reason };
    const found = unstorablePath(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

// Hooks in callback style: no promise per request for a check that never waits.
export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    done(/%00/i.test(request.url) ? errors.badRequest('NUL characters (%00) are not allowed in the URL') : undefined);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const found = request.body === undefined ? undefined : unstorablePath(request.body);
    done(found === undefined ? undefined : invalidField(found.path || 'body', found.reason));
  });
}
