/**
 * The application/json body parser: Fastify's own (secure-json-parse,
 * prototype poisoning refused), behind a nesting bound checked on the text
 * before anything parses or walks it. A body nested thousands of levels deep
 * would otherwise overflow the stack somewhere after parsing (a 500); no
 * entity is nested anywhere near MAX_BODY_DEPTH, and the declarations bound
 * their own parts (ext, periods) more tightly still.
 *
 * A body in a content coding (Content-Encoding other than identity) is a
 * 415 (RFC 9110 §8.4): read as plain JSON, it would be other bytes than a
 * filter in front that decodes it had inspected.
 *
 * JSON is UTF-8 (RFC 8259 §8.1): a Content-Type naming another charset is
 * a 415, not text read as UTF-8 that the client encoded otherwise. utf-8 in
 * any case (and the common misspelling utf8) named once, or no charset, is
 * accepted; two Content-Type fields are a 400, as two keys are.
 *
 * A body that is not well-formed UTF-8 (RFC 8259 §8.1; RFC 3629 §3: no
 * surrogates, no overlong forms) is a 400: decoded with replacement, its
 * bad bytes would be stored as U+FFFD, unlike the same text escaped.
 *
 * A number beyond a double's range (1e400) is a 400 naming where it is:
 * parsed as Infinity, it would be stored and answered as null.
 *
 * Many client wrappers send `Content-Type: application/json` on every
 * request: an empty body is no body for the methods that take none (DELETE
 * as much as GET), and "empty, expected JSON" only where one is required.
 */
import { isUtf8 } from 'node:buffer';
import { parse as parseContentType } from 'content-type';
import type { FastifyInstance } from 'fastify';
import { errors, invalidField } from '../errors.js';
import { nonFinitePath } from '../entity/json-bounds.js';
import { requestMethod } from './extension-method-routing.js';
import { fieldCount } from './header-fields.js';

const TAKES_BODY = new Set(['POST', 'PUT', 'PATCH', 'LOOKUP', 'QUERY']);

export const MAX_BODY_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Whether JSON text opens more than `limit` arrays or objects inside each other (strings skipped). */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

const POISONING = 'Request body may not hold a "__proto__" key, nor a "constructor" object with a "prototype" key';

const OUT_OF_RANGE = 'must be a number within the range of a double (about ±1.8e308)';

const UTF8_LABELS = new Set(['utf-8', 'utf8']);
const CHARSET = /charset/gi;

/**
 * Whether a JSON Content-Type names no charset, or names it once as UTF-8.
 * Any other mention of charset in its parameters (twice, unquoted halfway,
 * `charset*=`) is a label some reader may take for another charset.
 */
function labelledUtf8OrUnlabelled(type: string): boolean {
  const mentions = type.match(CHARSET)?.length ?? 0;
  if (mentions === 0) return true;
  const { charset } = parseContentType(type).parameters;
  return mentions === 1 && charset !== undefined && UTF8_LABELS.has(charset.toLowerCase());
}

const NOT_UTF8 = 'Request body is not well-formed UTF-8';

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length === 0 && !TAKES_BODY.has(requestMethod(request))) return done(null, undefined);
    const coding = request.headers['content-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'identity' && coding.trim() !== '') return done(errors.unsupportedContentCoding(coding), undefined);
    if (fieldCount(request.raw.rawHeaders, 'content-type') > 1) return done(errors.badRequest('Content-Type must be sent once'), undefined);
    if (!labelledUtf8OrUnlabelled(request.headers['content-type'] ?? '')) return done(errors.unsupportedCharset(), undefined);
    if (!isUtf8(bytes)) return done(errors.badRequest(NOT_UTF8), undefined);
    const text = bytes.toString('utf8');
    // Shorter texts cannot be that deep: the common case skips the scan.
    if (text.length > MAX_BODY_DEPTH && nestedDeeperThan(text, MAX_BODY_DEPTH)) return done(errors.nestedTooDeep(MAX_BODY_DEPTH), undefined);
    parse(request, text, (err, value) => {
      // The parser reports prototype poisoning as invalid JSON; say what is wrong with valid JSON.
      if (err && isJson(text)) return done(errors.badRequest(POISONING), undefined);
      const beyondRange = err ? undefined : nonFinitePath(value);
      if (beyondRange !== undefined) return done(invalidField(beyondRange || 'body', OUT_OF_RANGE), undefined);
      done(err, value);
    });
  });
}
