#!/usr/bin/env node
// The floor for a Node gateway: read the body, JSON.parse it (every real gateway must), forward the
// original bytes with undici `request` over a keep-alive Pool and pipe the answer back. No auth, no
// routing, no tracing.
//
// Environment:
//   BARE_PORT      port to listen on (default 0 = any; the chosen port is printed as JSON on stdout)
//   BARE_UPSTREAM  upstream origin, e.g. http://127.0.0.1:4000 (the request path is kept as is)
import { createServer } from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

const port = Number(process.env.BARE_PORT ?? 0);
const pool = new Pool(process.env.BARE_UPSTREAM ?? 'http://127.0.0.1:4000', {
  pipelining: 1,
  keepAliveTimeout: 60_000,
});
const upstreamHeaders = { 'content-type': 'application/json', authorization: 'Bearer unused' };

function fail(response, status, message) {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify({ error: { message, type: 'proxy_error' } });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

async function forward(request, response, body) {
  try {
    JSON.parse(body.toString('utf8'));
  } catch {
    fail(response, 400, 'body is not JSON');
    return;
  }
  try {
    const upstream = await pool.request({
      method: 'POST',
      path: request.url,
      headers: upstreamHeaders,
      body,
    });
    const headers = { 'content-type': upstream.headers['content-type'] ?? 'application/json' };
    if (upstream.headers['content-length']) headers['content-length'] = upstream.headers['content-length'];
    response.writeHead(upstream.statusCode, headers);
    pipeline(upstream.body, response, () => {});
  } catch (error) {
    fail(response, 502, String(error?.message ?? error));
  }
}

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/health') {
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    response.end('ok');
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => forward(request, response, Buffer.concat(chunks)));
});

server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    pool.destroy().finally(() => process.exit(0));
  });
}
