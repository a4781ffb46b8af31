/**
 * The HTTP client side of the command line: one function per verb of the
 * collection convention, against a running service. Every failure is a
 * ClientError whose message is one line naming what to change: the URL
 * (COLLECTIONS_URL / --url), the key (COLLECTIONS_KEY / --key), or the input.
 */
import type { CollectionModel } from '../collections/model.js';
import type { ErrorDetail } from '../errors.js';
import { flatten } from '../query/projection.js';
import { formatTable } from './table.js';

export interface ClientOptions {
  url: string;
  key: string;
  json: boolean;
}

export class ClientError extends Error {}

const URL_SETTING = 'COLLECTIONS_URL or --url';
const KEY_SETTING = 'COLLECTIONS_KEY or --key';

interface ErrorBody {
  error_code?: number;
  error_message?: string;
  error_details?: ErrorDetail[];
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ETIMEDOUT: 'no answer in time',
  EHOSTUNREACH: 'the host is unreachable',
  ECONNRESET: 'the connection was reset',
};

/** The request, or a sentence about why the service could not be asked at all. */
async function send(options: ClientOptions, method: string, path: string, init: RequestInit): Promise<Response> {
  let target: URL;
  try {
    target = new URL(options.url.replace(/\/$/, '') + path);
  } catch {
    throw new ClientError(`"${options.url}" is not a URL; set ${URL_SETTING} to the service's, such as http://127.0.0.1:8080`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new ClientError(`"${options.url}" is not an http:// or https:// URL; set ${URL_SETTING} to the service's`);
  try {
    return await fetch(target, { ...init, method });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = (cause?.code && UNREACHABLE[cause.code]) || cause?.message || (err as Error).message;
    throw new ClientError(`cannot reach the service at ${options.url} (${why}); start it, or set ${URL_SETTING} to where it runs`);
  }
}

/** What to change after the service refused a request, when the refusal is about the key. */
function advice(status: number, options: ClientOptions): string {
  if (status === 401) {
    return options.key
      ? `the service at ${options.url} does not know the key in ${KEY_SETTING}`
      : `no key given: set ${KEY_SETTING} (a new embedded store writes its first key to data/bootstrap-key; collection-service admin create-key makes more)`;
  }
  if (status === 403) return `the key in ${KEY_SETTING} is read-only: writes need a read-write key`;
  return '';
}

export async function call(options: ClientOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await send(options, method, path, {
    headers: { authorization: `Bearer ${options.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ClientError(`the answer from ${options.url} (HTTP ${response.status}) is not JSON; set ${URL_SETTING} to the collection service`);
  }
  if (!response.ok) {
    const hint = advice(response.status, options);
    if (hint) throw new ClientError(`${response.status} ${hint}`);
    const { error_message: message = response.statusText, error_details: details = [] } = (parsed ?? {}) as ErrorBody;
    // The service names a single field in the message itself; several are listed after it.
    const fields = details.map(({ field, message: why }) => `${field}: ${why}`).join('; ');
    throw new ClientError(`${response.status} ${message}${fields && !message.endsWith(fields) ? `: ${fields}` : ''}`);
  }
  return parsed;
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ClientError(`${what} must be JSON, got ${JSON.stringify(text)}`);
  }
}

/**
 * JSON as the service answered it, or a table: ids one per line, entities
 * one row each with composite fields flattened (`opts.title`), the same
 * shape for every command.
 */
function show(options: ClientOptions, value: unknown): string {
  if (options.json) return JSON.stringify(value, null, 2);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join('\n');
  const rows = (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
  return formatTable(rows.map((row) => flatten(row)));
}

export interface ListFlags {
  filter?: string;
  mask?: string;
  order?: string;
  limit?: string;
  offset?: string;
}

/** The arguments each command takes, for the one line a wrong call gets. */
export const COMMAND_ARGUMENTS: Record<string, string> = {
  list: '<collection>',
  get: '<collection> <id>',
  create: '<collection> <json>',
  patch: '<collection> <id> <json>',
  delete: '<collection> <id>',
  lookup: '<collection> <key>',
};

export async function runCommand(command: string, model: CollectionModel, args: string[], flags: ListFlags, options: ClientOptions): Promise<string> {
  const query = (params: Record<string, string | undefined>) => {
    const defined = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return defined.length ? `?${new URLSearchParams(defined).toString()}` : '';
  };
  const wanted = command === 'list' ? 0 : command === 'patch' ? 2 : 1;
  if (args.length !== wanted) {
    throw new ClientError(`${command} takes ${COMMAND_ARGUMENTS[command]}, got ${args.length + 1} argument${args.length === 0 ? '' : 's'}; collection-service --help shows every command`);
  }
  const [first, second] = args;
  const item = () => `${model.path}/${encodeURIComponent(first)}`;
  switch (command) {
    case 'list':
      return show(options, await call(options, 'GET', model.path + query({ ...flags })));
    case 'get':
      return show(options, await call(options, 'GET', item() + query({ mask: flags.mask })));
    case 'create':
      return show(options, await call(options, 'POST', model.path, parseJson('the body', first)));
    case 'patch':
      return show(options, await call(options, 'PATCH', item(), parseJson('the body', second)));
    case 'delete':
      await call(options, 'DELETE', item());
      return options.json ? '{}' : `deleted ${first}`;
    case 'lookup':
      return show(options, await call(options, 'LOOKUP', model.path, first));
    default:
      throw new ClientError(`unknown command ${command}; collection-service --help shows every command`);
  }
}
