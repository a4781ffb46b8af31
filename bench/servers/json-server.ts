// Baseline: json-server serving the same records, what one reaches for as quick CRUD.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const jsonServer = createRequire(import.meta.url)('json-server');
const db = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const server = jsonServer.create();
server.use(jsonServer.defaults({ logger: false }));
server.use(jsonServer.router(db));
const listener = server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: listener.address().port })));
