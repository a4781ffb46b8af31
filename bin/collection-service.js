#!/usr/bin/env node
// The installed `collection-service` command. A file of its own, kept in git
// with its executable bit, because every build writes dist/ anew and would
// drop the bit from a command linked straight into it.
//
// It runs the CLI on the Node.js that npm ci installed in the clone (the one
// every npm script uses), so the command works from any directory and under
// `npm install --global` whatever Node.js is first on PATH.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const clone = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
const cloneNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));

if (!existsSync(cli)) {
  process.stderr.write(`error: collection-service is not built yet: run npm ci (or npm run build) in ${clone}\n`);
  process.exit(1);
}

if (!existsSync(cloneNode) || realpathSync(cloneNode) === realpathSync(process.execPath)) {
  await import(new URL('../dist/src/cli.js', import.meta.url).href);
} else {
  const child = spawn(cloneNode, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal itself; signals sent to this process are passed on.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
