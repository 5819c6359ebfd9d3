#!/usr/bin/env node
// A fake OpenAI-compatible upstream, as cheap as possible, so that what the benchmark measures is the
// proxy in front of it. Every response is built once at start-up; a request only has its body scanned
// for the two flags that change the answer (`"stream":true` and `"include_usage":true`).
//
// Environment:
//   FAKE_PORT      port to listen on (default 0 = any; the chosen port is printed as JSON on stdout)
//   FAKE_CHUNKS    token chunks per streamed answer (default 20)
//   FAKE_DELAY_MS  pause between streamed chunks (default 0: all chunks written at once)
// A request header `x-fake-delay-ms` overrides FAKE_DELAY_MS for that request.
import { createServer } from 'node:http';

const port = Number(process.env.FAKE_PORT ?? 0);
const chunkCount = Number(process.env.FAKE_CHUNKS ?? 20);
const defaultDelayMs = Number(process.env.FAKE_DELAY_MS ?? 0);

const created = 1700000000;
const usage = { prompt_tokens: 9, completion_tokens: chunkCount, total_tokens: 9 + chunkCount };

const completionBody = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created,
    model: 'fake-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello! How can I help you today?' },
        finish_reason: 'stop',
      },
    ],
    usage,
  }),
);

function sseEvent(value) {
  return Buffer.from(`data: ${JSON.stringify(value)}\n\n`);
}

const tokenChunks = Array.from({ length: chunkCount }, (_, index) =>
  sseEvent({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created,
    model: 'fake-model',
    choices: [
      {
        index: 0,
        delta: index === 0 ? { role: 'assistant', content: 'tok0' } : { content: ` tok${index}` },
        finish_reason: index === chunkCount - 1 ? 'stop' : null,
      },
    ],
  }),
);
const usageChunk = sseEvent({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  created,
  model: 'fake-model',
  choices: [],
  usage,
});
const doneEvent = Buffer.from('data: [DONE]\n\n');

const jsonHeaders = { 'content-type': 'application/json', 'content-length': completionBody.length };
const streamHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const streamFlag = /"stream"\s*:\s*true/;
const usageFlag = /"include_usage"\s*:\s*true/;

function writeStream(response, includeUsage, delayMs) {
  response.writeHead(200, streamHeaders);
  const finish = () => {
    if (includeUsage) response.write(usageChunk);
    response.end(doneEvent);
  };
  if (delayMs <= 0) {
    for (const chunk of tokenChunks) response.write(chunk);
    finish();
    return;
  }
  let next = 0;
  const writeNext = () => {
    if (response.destroyed) return;
    response.write(tokenChunks[next]);
    next += 1;
    if (next === tokenChunks.length) finish();
    else setTimeout(writeNext, delayMs);
  };
  writeNext();
}

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/health') {
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    response.end('ok');
    return;
  }
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
    response.writeHead(404, { 'content-type': 'text/plain', 'content-length': 9 });
    response.end('not found');
    return;
  }
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (text) => {
    body += text;
  });
  request.on('end', () => {
    if (!streamFlag.test(body)) {
      response.writeHead(200, jsonHeaders);
      response.end(completionBody);
      return;
    }
    const headerDelay = request.headers['x-fake-delay-ms'];
    writeStream(response, usageFlag.test(body), headerDelay ? Number(headerDelay) : defaultDelayMs);
  });
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
    process.exit(0);
  });
}
