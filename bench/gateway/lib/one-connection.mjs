#!/usr/bin/env node
// Sequential requests over one keep-alive connection, timing each one to the response headers, to the
// first body chunk and to the end. Run pinned to the load core by run.mjs; prints one JSON line.
//
// Usage: node one-connection.mjs '{"url":"http://127.0.0.1:4000/v1/chat/completions","headers":{},
//                                  "body":"{...}","requests":2000,"warmup":200}'
import { Client } from 'undici';
import { percentile } from './report.mjs';

const options = JSON.parse(process.argv[2]);
const url = new URL(options.url);
const client = new Client(url.origin, { pipelining: 1, keepAliveTimeout: 60_000 });

async function once() {
  const start = process.hrtime.bigint();
  const response = await client.request({
    method: 'POST',
    path: url.pathname,
    headers: options.headers,
    body: options.body,
  });
  const headersAt = process.hrtime.bigint();
  let firstChunkAt;
  for await (const _chunk of response.body) {
    firstChunkAt ??= process.hrtime.bigint();
  }
  const endAt = process.hrtime.bigint();
  const ms = (at) => Number(at - start) / 1e6;
  return {
    ok: response.statusCode >= 200 && response.statusCode < 300,
    headersMs: ms(headersAt),
    firstChunkMs: ms(firstChunkAt ?? endAt),
    endMs: ms(endAt),
  };
}

function summary(values) {
  return { p50: percentile(values, 50), p99: percentile(values, 99) };
}

for (let index = 0; index < options.warmup; index += 1) await once();

const samples = [];
let errors = 0;
for (let index = 0; index < options.requests; index += 1) {
  const sample = await once();
  if (sample.ok) samples.push(sample);
  else errors += 1;
}
await client.close();

process.stdout.write(
  `${JSON.stringify({
    requests: samples.length,
    errors,
    headersMs: summary(samples.map((sample) => sample.headersMs)),
    firstChunkMs: summary(samples.map((sample) => sample.firstChunkMs)),
    endMs: summary(samples.map((sample) => sample.endMs)),
  })}\n`,
);
