#!/usr/bin/env node
// The installed `collection-service` command. A file of its own, kept in git
// with its executable bit, because every build writes dist/ anew and would
// drop the bit from a command linked straight into it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(`error: collection-service is not built yet: run npm ci (or npm run build) in ${new URL('..', import.meta.url).pathname}\n`);
  process.exit(1);
}
await import(cli.href);
