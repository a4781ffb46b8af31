/**
 * The HTTP client side of the command line: one function per verb of the
 * collection convention, against a running service.
 */
import type { CollectionModel } from '../collections/model.js';
import { formatTable } from './table.js';

export interface ClientOptions {
  url: string;
  key: string;
  json: boolean;
}

export class ClientError extends Error {}

export async function call(options: ClientOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(options.url.replace(/\/$/, '') + path, {
    method,
    headers: { authorization: `Bearer ${options.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ClientError(`${response.status} ${parsed?.error_message ?? text}`);
  return parsed;
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ClientError(`${what} must be JSON`);
  }
}

function show(options: ClientOptions, value: unknown): string {
  if (options.json) return JSON.stringify(value, null, 2);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join('\n');
  const rows = (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
  return formatTable(rows);
}

export interface ListFlags {
  filter?: string;
  mask?: string;
  order?: string;
  limit?: string;
  offset?: string;
}

export async function runCommand(command: string, model: CollectionModel, args: string[], flags: ListFlags, options: ClientOptions): Promise<string> {
  // Tables read best flat: opts.title rather than a nested object.
  const flat = options.json ? {} : { flat: 'true' };
  const query = (params: Record<string, string | undefined>) => {
    const defined = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return defined.length ? `?${new URLSearchParams(defined).toString()}` : '';
  };
  const [first, second] = args;
  switch (command) {
    case 'list':
      return show(options, await call(options, 'GET', model.path + query({ ...flags, ...flat })));
    case 'get':
      if (!first) throw new ClientError('get needs an id');
      return show(options, await call(options, 'GET', `${model.path}/${encodeURIComponent(first)}${query({ mask: flags.mask, ...flat })}`));
    case 'create':
      if (!first) throw new ClientError('create needs a JSON body');
      return show(options, await call(options, 'POST', model.path, parseJson('the body', first)));
    case 'patch':
      if (!first || !second) throw new ClientError('patch needs an id and a JSON body');
      return show(options, await call(options, 'PATCH', `${model.path}/${encodeURIComponent(first)}`, parseJson('the body', second)));
    case 'delete':
      if (!first) throw new ClientError('delete needs an id');
      await call(options, 'DELETE', `${model.path}/${encodeURIComponent(first)}`);
      return options.json ? '{}' : `deleted ${first}`;
    case 'lookup':
      if (first === undefined) throw new ClientError('lookup needs a key');
      return show(options, await call(options, 'LOOKUP', model.path, first));
    default:
      throw new ClientError(`unknown command ${command}`);
  }
}
