#!/usr/bin/env node
/**
 * collection-service serve                         start the service (as npm start)
 * collection-service admin create-domain <name>
 * collection-service admin create-key <domain> [--role read-only|read-write] [--label <text>]
 *
 * Admin commands use the same DATABASE_URL / DATA_DIR as the service and
 * print a created key once, on stdout.
 */
import { parseArgs } from 'node:util';
import { createApiKey, createDomain } from './auth/api-keys.js';
import { loadCollections } from './collections/registry.js';
import { loadConfig } from './config.js';
import { openStore } from './store/open.js';
import type { Role, Store } from './store/store.js';

const USAGE = `usage:
  collection-service serve
  collection-service admin create-domain <name>
  collection-service admin create-key <domain> [--role read-only|read-write] [--label <text>]`;

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

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'serve') await import('./main.js');
  else if (command === 'admin') await admin(rest);
  else throw new Error(USAGE);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
