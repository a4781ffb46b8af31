#!/usr/bin/env node
/**
 * collection-service serve                                  start the service (as npm start)
 * collection-service admin create-domain <name>
 * collection-service admin create-key <domain> [--role read-only|read-write] [--label <text>]
 * collection-service list <collection> [--filter JSON] [--mask a,b] [--order JSON] [--limit n] [--offset n]
 * collection-service get <collection> <id> | create <collection> <json> | patch <collection> <id> <json>
 * collection-service delete <collection> <id> | lookup <collection> <key>
 *
 * Client commands talk to a running service: --url or COLLECTIONS_URL
 * (default http://127.0.0.1:8080), --key or COLLECTIONS_KEY; --json prints
 * JSON, otherwise tables. Admin commands open the store directly with the
 * service's DATABASE_URL / DATA_DIR and print a created key once.
 */
import './runtime.js';
import { parseArgs } from 'node:util';
import { createApiKey, createDomain } from './auth/api-keys.js';
import { ClientError, runCommand } from './client/commands.js';
import { loadCollections } from './collections/registry.js';
import { loadConfig } from './config.js';
import { openStore } from './store/open.js';
import type { Role, Store } from './store/store.js';

const USAGE = `usage:
  collection-service serve
  collection-service admin create-domain <name>
  collection-service admin create-key <domain> [--role read-only|read-write] [--label <text>]
  collection-service list <collection> [--filter JSON] [--mask a,b] [--order JSON] [--limit n] [--offset n] [--json]
  collection-service get <collection> <id> [--mask a,b] [--json]
  collection-service create <collection> <json> | patch <collection> <id> <json> | delete <collection> <id>
  collection-service lookup <collection> <key> [--json]
  client options: --url (COLLECTIONS_URL), --key (COLLECTIONS_KEY)`;

const CLIENT_COMMANDS = new Set(['list', 'get', 'create', 'patch', 'delete', 'lookup']);

async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(loadConfig().databaseUrl);
  try {
    await store.prepare(await loadCollections());
    return await run(store);
  } finally {
    await store.close();
  }
}

async function admin(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { role: { type: 'string', default: 'read-write' }, label: { type: 'string', default: '' } },
  });
  const [action, name] = positionals;
  if (!name || positionals.length > 2) throw new Error(USAGE);
  if (action === 'create-domain') {
    const created = await withStore((store) => createDomain(store, name));
    console.log(created ? `created domain ${name}` : `domain ${name} already exists`);
  } else if (action === 'create-key') {
    console.log(await withStore((store) => createApiKey(store, name, values.role as Role, values.label)));
  } else throw new Error(USAGE);
}

async function client(command: string, args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env.COLLECTIONS_URL ?? 'http://127.0.0.1:8080' },
      key: { type: 'string', default: process.env.COLLECTIONS_KEY ?? '' },
      json: { type: 'boolean', default: false },
      filter: { type: 'string' },
      mask: { type: 'string' },
      order: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
    },
  });
  const [collection, ...rest] = positionals;
  const models = await loadCollections();
  const model = models.find((candidate) => candidate.name === collection);
  if (!model) throw new Error(`collection must be one of ${models.map((candidate) => candidate.name).join(', ')}`);
  const { url, key, json, ...flags } = values;
  console.log(await runCommand(command, model, rest, flags, { url, key, json }));
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'serve') await import('./main.js');
  else if (command === 'admin') await admin(rest);
  else if (command !== undefined && CLIENT_COMMANDS.has(command)) await client(command, rest);
  else throw new Error(USAGE);
} catch (err) {
  console.error(err instanceof ClientError ? `error: ${err.message}` : (err as Error).message);
  process.exit(err instanceof ClientError ? 1 : 2);
}
