#!/usr/bin/env bash
# Compiles the TypeScript sources into dist.<id> and points the dist symlink
# at it. <id> is a hash of everything the output depends on (sources,
# tsconfig, package.json, the lockfile and so the compiler and the console's
# bundler; the console's sources and its build script), so:
# - an unchanged tree is not compiled again: `npm ci` builds (prepare), and
#   `npm start` / `npm test` then find that build and only check the hash;
# - a build is never changed once made: a newer one is compiled beside it and
#   dist is switched with one rename, while an instance started earlier keeps
#   running from its own directory (Node resolves the symlink at start-up).
# The three most recently used builds are kept; older ones are removed.
set -euo pipefail
cd "$(dirname "$0")/.."

inputs() {
  find src test bench -type f -name '*.ts' | LC_ALL=C sort
  # The console (console/) is bundled into the same build: every file there counts.
  find console -type f | LC_ALL=C sort
  printf '%s\n' tsconfig.json package.json package-lock.json scripts/build-console.mjs
}
id=$(inputs | xargs sha256sum | sha256sum | cut -c1-16)
target="dist.$id"

if [ ! -d "$target" ]; then
  started=$(date +%s%N)
  # Compiled at the same depth as dist, so paths relative to the output stay valid.
  staging=".dist-building-$$"
  trap 'rm -rf "$staging"' EXIT
  rm -rf "$staging"
  # TypeScript 7, the native compiler, builds; TypeScript 5.9 stays for the tools that need its API (dependency-cruiser).
  node node_modules/typescript7/bin/tsc -p tsconfig.json --outDir "$staging"
  # The console: type-checked as browser code, then bundled by esbuild beside src/ (served at /console).
  node node_modules/typescript7/bin/tsc -p console/tsconfig.json
  node scripts/build-console.mjs "$staging/console"
  # Another build of the same inputs may have finished first: then keep that one.
  mv -T "$staging" "$target" 2>/dev/null || rm -rf "$staging"
  echo "build: compiled $target in $(( ($(date +%s%N) - started) / 1000000 )) ms"
else
  echo "build: $target is up to date"
fi

touch "$target"
# dist was a plain directory before builds were kept side by side.
if [ -d dist ] && [ ! -L dist ]; then rm -rf dist; fi
ln -sfn "$target" ".dist-link-$$"
mv -Tf ".dist-link-$$" dist

mapfile -t builds < <(ls -1dt dist.*/ 2>/dev/null | sed 's#/$##')
for old in "${builds[@]:3}"; do rm -rf "$old"; done
