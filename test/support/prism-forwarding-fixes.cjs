// Preloaded into Prism (`node --require`) by test/openapi-prism.test.ts.
// Two faults in how @stoplight/prism-http 5.16 forwards traffic in proxy
// mode, apart from its validation, which this leaves alone:
// 1. A JSON body that is a string (a LOOKUP key, "abc") is forwarded
//    without its quotes: its serializeBody passes any string through as
//    raw text, so the upstream receives `abc`, which is not JSON. The
//    client's Content-Length still counts the quotes, which tells the two
//    cases apart.
// 2. A HEAD response with a JSON Content-Type is read as a JSON body it
//    never has, and Prism answers 500.
'use strict';
const path = require('node:path');

const forwarder = path.dirname(require.resolve('@stoplight/prism-http/dist/forwarder/index.js'));
const nodeFetch = require(require.resolve('node-fetch', { paths: [forwarder] }));
const fetch = nodeFetch.default;

function header(headers, name) {
  const key = Object.keys(headers ?? {}).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : String(headers[key]);
}

function requotedBody(init) {
  const { body, headers } = init;
  if (typeof body !== 'string' || !/^application\/(.+\+)?json\b/i.test(header(headers, 'content-type') ?? '')) return body;
  const length = Number(header(headers, 'content-length'));
  const quoted = JSON.stringify(body);
  return Buffer.byteLength(body) !== length && Buffer.byteLength(quoted) === length ? quoted : body;
}

// The forwarder calls node-fetch's default export at call time, so replacing it here takes effect.
nodeFetch.default = async (url, init = {}) => {
  const response = await fetch(url, { ...init, body: requotedBody(init) });
  if (String(init.method).toUpperCase() === 'HEAD') response.json = async () => null;
  return response;
};
