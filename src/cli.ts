#!/usr/bin/env node
/**
 * collection-service serve                                  start the service (as npm start)
 * collection-service admin create-domain <name>
 * collection-service admin create-key <domain> [--role read-only|read-write|decider] [--label <text>]
 * collection-service list <collection> [--filter JSON] [--mask a,b] [--order JSON] [--limit n] [--offset n]
 * collection-service get <collection> <id> | create <collection> <json> | patch <collection> <id> <json>
 * collection-service delete <collection> <id> | lookup <collection> <key>
 * collection-service decide --from <number> --to <number> [--from-domain d] [--to-domain d] [--at RFC3339] [--trace]
 *
 * Client commands talk to a running service: --url or COLLECTIONS_URL
 * (default http://127.0.0.1:8080), --key or COLLECTIONS_KEY; --json prints
 * JSON, otherwise tables. Admin commands open the store directly with the
 * service's DATABASE_URL / DATA_DIR and print a created key once.
 *
 * Every error is one line on stderr, `error: ...`, and exit code 1.
 */
import './runtime.js';
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createApiKey, createDomain } from './auth/api-keys.js';
import { ClientError, COMMAND_ARGUMENTS, runCommand } from './client/commands.js';
import { runDecide } from './client/decide.js';
import { loadCollections } from './collections/registry.js';
import { databaseSetting, loadConfig } from './config.js';
import { openPreparedStore } from './startup-failure.js';
import { sqliteFile } from './store/sqlite.js';
import type { Role, Store } from './store/store.js';

const USAGE = `usage:
  collection-service serve
  collection-service admin create-domain <name>
  collection-service admin create-key <domain> [--role read-only|read-write|decider] [--label <text>]
  collection-service list <collection> [--filter JSON] [--mask a,b] [--order JSON] [--limit n] [--offset n] [--json]
  collection-service get <collection> <id> [--mask a,b] [--json]
  collection-service create <collection> <json> [--json] | patch <collection> <id> <json> [--json]
  collection-service delete <collection> <id> | lookup <collection> <key> [--json]
  collection-service decide --from <number> --to <number> [--from-domain <domain>] [--to-domain <domain>] [--at <RFC 3339>] [--trace] [--json]
  client options: --url (COLLECTIONS_URL, default http://127.0.0.1:8080), --key (COLLECTIONS_KEY)
  admin commands use the service's DATA_DIR / DATABASE_URL`;

const HELP = 'collection-service --help shows every command';
const CLIENT_COMMANDS = new Set(Object.keys(COMMAND_ARGUMENTS));

/** parseArgs, with its refusals (an unknown option, a missing value) as one line each. */
function parse<T extends NonNullable<ParseArgsConfig['options']>>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, allowPositionals: true, options });
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    const option = /'(-[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new ClientError(`${command} has no option ${option}; ${HELP}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new ClientError(`option ${option} of ${command} needs a value; ${HELP}`);
    throw new ClientError(`${message.split('. ')[0]}; ${HELP}`);
  }
}

async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // An admin command run from another directory would otherwise make a new, empty store there.
  if (config.databaseUrl.startsWith('sqlite:') && !existsSync(sqliteFile(config.databaseUrl))) {
    throw new ClientError(`no database at ${sqliteFile(config.databaseUrl)}: run this where the service runs, or set ${databaseSetting(config)} to the service's`);
  }
  const store = await openPreparedStore(config.databaseUrl, databaseSetting(config), await loadCollections());
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

async function admin(args: string[]): Promise<void> {
  const { positionals, values } = parse('admin', args, { role: { type: 'string', default: 'read-write' }, label: { type: 'string', default: '' } });
  const [action, name] = positionals;
  if (action === 'create-domain' && positionals.length === 2) {
    const created = await withStore((store) => createDomain(store, name));
    console.log(created ? `created domain ${name}` : `domain ${name} already exists`);
  } else if (action === 'create-key' && positionals.length === 2) {
    console.log(await withStore((store) => createApiKey(store, name, values.role as Role, values.label)));
  } else throw new ClientError(`admin takes create-domain <name> or create-key <domain>; ${HELP}`);
}

async function client(command: string, args: string[]): Promise<void> {
  const { positionals, values } = parse(command, args, {
    url: { type: 'string', default: process.env.COLLECTIONS_URL || 'http://127.0.0.1:8080' },
    key: { type: 'string', default: process.env.COLLECTIONS_KEY ?? '' },
    json: { type: 'boolean', default: false },
    filter: { type: 'string' },
    mask: { type: 'string' },
    order: { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
  });
  const [collection, ...rest] = positionals;
  const models = await loadCollections();
  const model = models.find((candidate) => candidate.name === collection);
  if (!model) {
    const got = collection === undefined ? 'none given' : `got "${collection}"`;
    throw new ClientError(`${command} takes ${COMMAND_ARGUMENTS[command]}: the collection must be one of ${models.map((candidate) => candidate.name).join(', ')}, ${got}`);
  }
  const { url, key, json, ...flags } = values;
  console.log(await runCommand(command, model, rest, flags, { url, key, json }));
}

async function decide(args: string[]): Promise<void> {
  const { values } = parse('decide', args, {
    url: { type: 'string', default: process.env.COLLECTIONS_URL ?? 'http://127.0.0.1:8080' },
    key: { type: 'string', default: process.env.COLLECTIONS_KEY ?? '' },
    json: { type: 'boolean', default: false },
    from: { type: 'string' },
    to: { type: 'string' },
    'from-domain': { type: 'string' },
    'to-domain': { type: 'string' },
    at: { type: 'string' },
    trace: { type: 'boolean', default: false },
  });
  const { url, key, json, ...flags } = values;
  console.log(await runDecide(flags, { url, key, json }));
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === undefined) throw new ClientError(`no command given; ${HELP}`);
  else if (command === '--help' || command === '-h' || command === 'help') console.log(USAGE);
  else if (command === 'serve') await import('./main.js');
  else if (command === 'admin') await admin(rest);
  else if (command === 'decide') await decide(rest);
  else if (CLIENT_COMMANDS.has(command)) await client(command, rest);
  else throw new ClientError(`unknown command "${command}"; ${HELP}`);
} catch (err) {
  // Every error is one line: what failed, and what to change.
  process.stderr.write(`error: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}
