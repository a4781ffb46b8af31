#!/usr/bin/env bash
# Runs the whole suite once per store: the embedded SQLite store, then
# PostgreSQL when TEST_POSTGRES_URL names a database (.ci/postgres starts one).
set -u
cd "$(dirname "$0")/.."
files=(dist/test/*.test.js)

# npm test runs this on the Node.js that npm ci installs (node_modules/.bin first on PATH).
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 24 ]; then
  echo "The suite needs Node.js 24 or later, and this is Node.js $(node -v): run it with npm test, which uses the Node.js 26 that npm ci installs." >&2
  exit 1
fi
echo "== Node.js $(node -v)"

echo "== store: embedded SQLite"
# The tests run on the store TEST_POSTGRES_URL names, if any: here on none.
env -u TEST_POSTGRES_URL node --test --test-concurrency=2 --test-timeout=120000 "${files[@]}"
embedded=$?

postgres=0
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  echo "== store: PostgreSQL"
  node --test --test-concurrency=2 --test-timeout=120000 "${files[@]}"
  postgres=$?
else
  echo "== store: PostgreSQL not run (set TEST_POSTGRES_URL=postgres://... to include it)"
fi

echo "== embedded SQLite: $([ $embedded -eq 0 ] && echo passed || echo FAILED); PostgreSQL: $([ -z "${TEST_POSTGRES_URL:-}" ] && echo 'not run' || ([ $postgres -eq 0 ] && echo passed || echo FAILED))"
exit $(( embedded != 0 || postgres != 0 ))
