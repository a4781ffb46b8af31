/**
 * Routing of extension methods inside Fastify. Fastify only registers methods
 * from Node's table, so an extension request (see src/edge/methods.ts) is
 * routed as CARRIER_METHOD under a route constraint on its real method. The
 * constraint must match once derived: a LOOKUP never falls through to the
 * POST handler of the same path, and a plain POST never reaches LOOKUP's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { EXTENSION_METHOD_HEADER } from '../edge/methods.js';

export const EXTENSION_METHOD_CONSTRAINT = 'extensionMethod';

export const extensionMethodConstraint = {
  name: EXTENSION_METHOD_CONSTRAINT,
  mustMatchWhenDerived: true,
  storage() {
    const handlers = new Map<string, unknown>();
    return {
      get: (method: string) => handlers.get(method) ?? null,
      set: (method: string, handler: unknown) => void handlers.set(method, handler),
    };
  },
  deriveConstraint: (req: IncomingMessage) => req.headers[EXTENSION_METHOD_HEADER] as string | undefined,
  validate(value: unknown) {
    if (typeof value !== 'string') throw new Error('extension method must be a string');
  },
};

/** The method the client actually sent. */
export function requestMethod(request: FastifyRequest | IncomingMessage): string {
  const headers = request.headers;
  return (headers[EXTENSION_METHOD_HEADER] as string | undefined) ?? (request.method as string);
}

/**
 * Once the body is parsed, handlers and later hooks see the client's real
 * method. Not earlier: Fastify parses bodies only for methods it knows.
 */
export function restoreExtensionMethods(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const method = request.headers[EXTENSION_METHOD_HEADER];
    if (typeof method === 'string') {
      request.raw.method = method;
      delete request.headers[EXTENSION_METHOD_HEADER];
    }
    done();
  });
}
