/**
 * The Fastify application: authentication, collection routes, the change
 * feed, metrics, the OpenAPI document and docs page, the console, health, and the JSON
 * error contract for everything else (unknown paths, wrong verbs, framework
 * errors).
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyHttpOptions, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { CollectionModel } from '../collections/model.js';
import { DecisionEngine } from '../decisions/engine.js';
import { errors } from '../errors.js';
import type { ChangeFeed } from '../events/change-feed.js';
import { openApiDocument } from '../openapi/document.js';
import type { Store } from '../store/store.js';
import { collectionMethods, escapeRegExp, registerCollectionRoutes } from './collection-routes.js';
import { registerAuthentication } from './authentication.js';
import { CALENDAR_PATH, registerCalendarRoute } from './calendar-route.js';
import { registerConsoleRoute } from './console-route.js';
import { DECISIONS_PATH, registerDecisionsRoute } from './decisions-route.js';
import { documentPaths } from './document-paths.js';
import { errorResponse } from './errors.js';
import { EVENTS_PATH, registerEventsRoute } from './events-route.js';
import { registerMetrics } from './metrics.js';
import { DOCS_PATH, HEALTH_PATH, METRICS_PATH, OPENAPI_PATH } from './public-routes.js';
import { registerJsonBodyParser } from './json-body.js';
import { literalSegments, requestLogSerializers } from './log-redaction.js';
import { refuseUnstorableText } from './text-guard.js';
import { registerWhoamiRoute, WHOAMI_PATH } from './whoami-route.js';
import { answerClientError, NODE_MAX_HEADER_SIZE } from '../edge/listener.js';
import { EXTENSION_METHOD_CONSTRAINT, extensionMethodConstraint, restoreExtensionMethods } from './extension-method-routing.js';
import { methodOverrideConstraint, refuseBadOverrides, servedMethod } from './lookup-forms.js';

export interface AppOptions {
  models: readonly CollectionModel[];
  store: Store;
  feed: ChangeFeed;
  logger: FastifyServerOptions['logger'];
  bodyLimit: number;
  /** Change-feed events that may wait for one slow subscriber. */
  eventsQueueLimit: number;
}

/** A registered route: its method as clients send it (LOOKUP included) and its URL pattern. */
export interface RouteInfo {
  method: string;
  url: string;
}

export interface App {
  fastify: FastifyInstance;
  /** The http server requests are fed into; it is never listened on directly. */
  httpServer: http.Server;
  /** Every route the application answers, HEAD variants included. */
  routes: readonly RouteInfo[];
}

// The reader in front caps the whole request target at 8 KiB.
const MAX_PATH_PARAM_LENGTH = 8192;

function packageVersion(): string {
  return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
}

export async function buildApp({ models, store, feed, logger, bodyLimit, eventsQueueLimit }: AppOptions): Promise<App> {
  let httpServer: http.Server | undefined;
  const sendError = (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const response = errorResponse(err, bodyLimit);
    if (response.status >= 500) request.log.error({ err }, 'request failed');
    void reply.code(response.status).headers(response.headers).send(response.body);
  };
  // Request lines are logged at info; above it a child logger per request would bind a request id to lines that never appear.
  const level = logger && typeof logger === 'object' ? logger.level : undefined;
  const logsRequests = logger !== false && ['trace', 'debug', 'info', undefined].includes(level);
  // Path segments a request log may show: filled from the routes as they are registered (log-redaction.ts).
  const routeSegments = new Set<string>();
  const options: FastifyHttpOptions<http.Server> = {
    logger: logger && { ...(typeof logger === 'object' ? logger : {}), serializers: requestLogSerializers(routeSegments) },
    ...(!logsRequests && { childLoggerFactory: (parent: FastifyBaseLogger) => parent }),
    bodyLimit,
    // The edge bounds heads itself; Node's parser must not refuse one it accepted.
    serverFactory: (handler) => (httpServer = http.createServer({ maxHeaderSize: NODE_MAX_HEADER_SIZE }, handler)),
    clientErrorHandler: answerClientError,
    // Refusals the router makes before any route runs (a URL that is not valid percent-encoding).
    frameworkErrors: (err, request, reply) => sendError(err, request, reply),
    routerOptions: {
      ignoreTrailingSlash: true,
      // The router's default refuses ids over 100 characters with a 414 of its own; an overlong id is just not found.
      maxParamLength: MAX_PATH_PARAM_LENGTH,
      constraints: { [extensionMethodConstraint.name]: extensionMethodConstraint, [methodOverrideConstraint.name]: methodOverrideConstraint } as never,
    },
  };
  const fastify: FastifyInstance = Fastify(options);
  const routes: RouteInfo[] = [];
  fastify.addHook('onRoute', ({ method, url, constraints }) => {
    const extension = (constraints as Record<string, string> | undefined)?.[EXTENSION_METHOD_CONSTRAINT];
    for (const each of [method].flat()) routes.push({ method: extension ?? each, url });
    for (const segment of literalSegments(url)) routeSegments.add(segment);
  });
  // First of all hooks: a request without a key learns nothing else about the service.
  registerAuthentication(fastify, store);
  restoreExtensionMethods(fastify);
  refuseUnstorableText(fastify);
  refuseBadOverrides(fastify);
  // JSON only (CONVENTIONS.md "Wire basics"): without this, text/plain bodies would arrive as strings.
  fastify.removeContentTypeParser('text/plain');
  registerJsonBodyParser(fastify);

  const readOnlyPaths = [HEALTH_PATH, OPENAPI_PATH, METRICS_PATH, EVENTS_PATH, WHOAMI_PATH].map((path) => ({ pattern: new RegExp(`^${escapeRegExp(path)}/?$`), allow: ['GET', 'HEAD'] }));
  const otherPaths = [
    { pattern: new RegExp(`^${escapeRegExp(CALENDAR_PATH)}/?$`), allow: ['GET', 'HEAD', 'PATCH'] },
    { pattern: new RegExp(`^${escapeRegExp(DECISIONS_PATH)}/?$`), allow: ['POST'] },
  ];
  const routesByPath = [...readOnlyPaths, ...otherPaths, ...models.flatMap(collectionMethods)];

  fastify.setErrorHandler(sendError);

  fastify.setNotFoundHandler((request) => {
    const path = request.url.split('?')[0];
    const known = routesByPath.find(({ pattern }) => pattern.test(path));
    throw known ? errors.methodNotAllowed(servedMethod(request), known.allow) : errors.routeNotFound();
  });

  const document = openApiDocument(models, { version: packageVersion(), bodyLimit }, documentPaths());
  fastify.get(OPENAPI_PATH, async () => document);
  // Swagger UI from the npm package, assets served locally (no CDN).
  await fastify.register(swagger, { mode: 'static', specification: { document: document as never } });
  await fastify.register(swaggerUi, { routePrefix: DOCS_PATH, uiConfig: { docExpansion: 'list', deepLinking: true } });
  await registerConsoleRoute(fastify);

  fastify.get(HEALTH_PATH, async () => {
    await store.ping();
    return { status: 'ok' };
  });

  const measuredStore = registerMetrics(fastify, store, models);
  for (const model of models) registerCollectionRoutes(fastify, model, measuredStore, feed);
  registerEventsRoute(fastify, feed, models, { queueLimit: eventsQueueLimit });
  registerWhoamiRoute(fastify);
  registerCalendarRoute(fastify, measuredStore, feed);
  const engine = new DecisionEngine(measuredStore, models, feed);
  fastify.addHook('onClose', async () => engine.close());
  registerDecisionsRoute(fastify, engine);

  await fastify.ready();
  if (!httpServer) throw new Error('Fastify did not create its http server');
  return { fastify, httpServer, routes };
}
