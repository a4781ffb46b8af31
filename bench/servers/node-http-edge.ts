// Baseline: the bare Node.js HTTP server behind the service's edge (src/edge/), to
// price the edge per request against node-http.ts. Answers any method, LOOKUP included.
import http from 'node:http';
import { answerClientError, listenThroughEdge, NODE_MAX_HEADER_SIZE } from '../../src/edge/listener.js';

const body = JSON.stringify({ hello: 'world' });
const server = http.createServer({ maxHeaderSize: NODE_MAX_HEADER_SIZE }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.on('clientError', answerClientError);
const { server: listener } = listenThroughEdge(server);
listener.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (listener.address() as { port: number }).port })));
