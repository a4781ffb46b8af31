/**
 * The routes anyone may call without an API key. Everything else, unknown
 * paths included, needs one (authentication.ts). The decision is made on the
 * route pattern the router matched, so it sees the path exactly as routing
 * does (percent-decoded, absolute-form reduced to its path), never the raw
 * request target.
 */
export const HEALTH_PATH = '/healthz';
export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';
export const METRICS_PATH = '/metrics';
/** The operator's console: a static page and its assets; it holds no data, and signs in with a key (console-route.ts). */
export const CONSOLE_PATH = '/console';

const PUBLIC_PATTERNS = new Set([HEALTH_PATH, OPENAPI_PATH, METRICS_PATH, DOCS_PATH, CONSOLE_PATH]);

/** `pattern`: a registered route's URL pattern (`request.routeOptions.url`). */
export function isPublicRoute(pattern: string): boolean {
  // The docs page and the console, and their assets: every route registered under DOCS_PATH and CONSOLE_PATH.
  return PUBLIC_PATTERNS.has(pattern) || pattern.startsWith(`${DOCS_PATH}/`) || pattern.startsWith(`${CONSOLE_PATH}/`);
}
