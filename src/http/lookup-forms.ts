/**
 * LOOKUP for clients, gateways and generated SDKs that cannot send an
 * extension method. The same handler, so the same answers and errors, also
 * serves:
 * - `POST <collection>` with `X-HTTP-Method-Override: LOOKUP`, for gateways
 *   that pass only standard methods. The override is accepted only on POST
 *   and only to LOOKUP; any other use is a 400.
 * - `POST <collection>:lookup`, a custom method in the style of Google's
 *   AIP-136, which OpenAPI describes as an ordinary operation.
 * - `QUERY <collection>` (RFC 10008). Where Node's parser knows QUERY it is
 *   routed natively; elsewhere the extension-method layer carries it like
 *   LOOKUP.
 */
import http from 'node:http';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler, RouteHandlerMethod } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { errors, invalidField } from '../errors.js';
import { CARRIER_METHOD } from '../edge/methods.js';
import { LOOKUP_SUFFIX } from '../collections/api-paths.js';
import { EXTENSION_METHOD_CONSTRAINT, requestMethod } from './extension-method-routing.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The method whose operation a route serves under another method (POST :lookup serves LOOKUP). */
    servedAs?: string;
  }
}

export const METHOD_OVERRIDE_HEADER = 'x-http-method-override';
export const OVERRIDABLE_METHOD = 'LOOKUP';
/** AIP-136 custom method suffix of a collection path. */
export { LOOKUP_SUFFIX };
const METHOD_OVERRIDE_CONSTRAINT = 'methodOverride';

/**
 * Routes a POST by its override header. Not required to match: a POST with
 * any other value reaches the plain POST route, but refuseBadOverrides has
 * answered it with a 400 before any handler runs.
 */
export const methodOverrideConstraint = {
  name: METHOD_OVERRIDE_CONSTRAINT,
  mustMatchWhenDerived: false,
  storage() {
    const handlers = new Map<string, unknown>();
    return {
      get: (method: string) => handlers.get(method) ?? null,
      set: (method: string, handler: unknown) => void handlers.set(method, handler),
    };
  },
  deriveConstraint: (req: IncomingMessage) => (req.method === 'POST' ? (req.headers[METHOD_OVERRIDE_HEADER] as string | undefined) : undefined),
  validate(value: unknown) {
    if (typeof value !== 'string') throw new Error('method override must be a string');
  },
};

/** Answers 400 to an override that is not POST to LOOKUP, before authentication and routing decide anything. */
export function refuseBadOverrides(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const override = request.headers[METHOD_OVERRIDE_HEADER];
    if (override === undefined) return done();
    if (requestMethod(request) !== 'POST') return done(invalidField('X-HTTP-Method-Override', 'is accepted only on POST'));
    if (override !== OVERRIDABLE_METHOD) return done(invalidField('X-HTTP-Method-Override', `must be ${OVERRIDABLE_METHOD}`));
    done();
  });
}

/** The method whose operation the request asks for: what authorisation and 405 answers go by. */
export function servedMethod(request: FastifyRequest): string {
  const method = requestMethod(request);
  if (method === 'POST' && request.headers[METHOD_OVERRIDE_HEADER] === OVERRIDABLE_METHOD) return OVERRIDABLE_METHOD;
  return request.routeOptions.config.servedAs ?? method;
}

// RFC 10008 §2: a QUERY must say what its content is. Checked here too so a carried QUERY answers the same.
const requireContentType: onRequestHookHandler = (request, _reply, done) =>
  done(request.headers['content-type'] === undefined ? errors.unsupportedMediaType() : undefined);

/**
 * Registers QUERY on `url`: natively when Node's parser knows the method
 * (`parserMethods`), otherwise as the carrier method under the
 * extension-method constraint, the way the front layer delivers it.
 */
export function registerQuery(app: FastifyInstance, url: string, handler: RouteHandlerMethod, parserMethods: readonly string[] = http.METHODS): void {
  if (parserMethods.includes('QUERY')) {
    if (!app.supportedMethods.includes('QUERY')) app.addHttpMethod('QUERY', { hasBody: true });
    app.route({ method: 'QUERY', url, onRequest: requireContentType, handler });
  } else {
    app.route({ method: CARRIER_METHOD, url, constraints: { [EXTENSION_METHOD_CONSTRAINT]: 'QUERY' }, onRequest: requireContentType, handler });
  }
}

/** Every form of LOOKUP besides the method itself, all served by `lookup`. */
export function registerLookupForms(app: FastifyInstance, collectionPath: string, lookup: RouteHandlerMethod): void {
  app.route({ method: 'POST', url: collectionPath, constraints: { [METHOD_OVERRIDE_CONSTRAINT]: OVERRIDABLE_METHOD }, handler: lookup });
  // A literal colon is written "::" in Fastify routes.
  app.route({ method: 'POST', url: `${collectionPath}:${LOOKUP_SUFFIX}`, config: { servedAs: OVERRIDABLE_METHOD }, handler: lookup });
  registerQuery(app, collectionPath, lookup);
}
