/**
 * Stops at once, with one sentence, on a Node.js older than the service runs
 * on. The entry points import this first, so it runs before any module that
 * needs a newer Node.js (the embedded store's node:sqlite, for one) is loaded.
 */
const OLDEST_MAJOR = 24;

if (Number(process.versions.node.split('.')[0]) < OLDEST_MAJOR) {
  console.error(
    `collection-service needs Node.js ${OLDEST_MAJOR} or later, and this is Node.js ${process.versions.node}: ` +
      'run it through npm (npm start, npx collection-service), which uses the Node.js 26 that npm ci installs, or install Node.js 24 or 26.',
  );
  process.exit(1);
}

export {};
