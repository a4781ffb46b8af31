/**
 * /console: the operator's console, a single-page application built from
 * console/ by `npm run build` (scripts/build-console.mjs) into the console/
 * folder of the build, beside src/. A public route (public-routes.ts): the
 * files hold no data, and every request the page makes carries the key it
 * is signed in with. Served as files of this node; nothing is
 * fetched from elsewhere at run time, and the page may talk only to this
 * origin (its Content-Security-Policy says so).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import { CONSOLE_PATH } from './public-routes.js';

export { CONSOLE_PATH };
// dist.<id>/src/http/console-route.js -> dist.<id>/console/
const BUILT_CONSOLE = fileURLToPath(new URL('../../console/', import.meta.url));
const CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export async function registerConsoleRoute(app: FastifyInstance): Promise<void> {
  if (!existsSync(BUILT_CONSOLE)) {
    app.log.warn({ folder: BUILT_CONSOLE }, 'console not built: /console is not served (npm run build builds it)');
    return;
  }
  const headers = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // Revalidated on every load, so a new build is picked up at once; the files are small.
    'cache-control': 'no-cache',
  };
  // The page itself at /console and /console/ (the router ignores the trailing slash); its assets are linked by absolute path.
  const page = readFileSync(`${BUILT_CONSOLE}index.html`);
  app.get(CONSOLE_PATH, async (_request, reply) => reply.headers(headers).type('text/html; charset=utf-8').send(page));
  await app.register(async (files) => {
    // The file server refuses a path with dot segments ("/console/..") as 403; no such file is there to forbid.
    files.setErrorHandler((err: { statusCode?: number }) => {
      throw err.statusCode === 403 ? errors.notFound('Not found') : err;
    });
    await files.register(fastifyStatic, {
      root: BUILT_CONSOLE,
      prefix: `${CONSOLE_PATH}/`,
      index: false,
      wildcard: true,
      decorateReply: false,
      setHeaders: (response) => {
        response.headers(headers);
      },
    });
  });
}
