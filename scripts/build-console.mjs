// Bundles the console (console/) into <out>: one script, one stylesheet and
// the page, minified, with no run-time fetch from anywhere but the service.
// Called by scripts/build.sh with the staging folder of the build.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const [out] = process.argv.slice(2);
if (!out) throw new Error('usage: node scripts/build-console.mjs <output folder>');
await mkdir(out, { recursive: true });
await build({
  entryPoints: ['console/src/main.tsx'],
  outfile: path.join(out, 'console.js'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['chrome115', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  // The build's identity is the hash of its inputs (scripts/build.sh); the bundle must not depend on anything else.
  legalComments: 'linked',
  logLevel: 'warning',
});
await copyFile('console/index.html', path.join(out, 'index.html'));
await copyFile('console/console.css', path.join(out, 'console.css'));
