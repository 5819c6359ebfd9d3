#!/usr/bin/env node
// Polls a health URL every `intervalMs` over one keep-alive connection until stdin closes, then
// prints every sample as JSON: `{ samples: [[epochMs, latencyMs, ok], ...] }`. Run pinned to the load
// core by slow-streams.mjs, in its own process so the streams it watches cannot delay it.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';

const options = JSON.parse(process.argv[2]);
const url = new URL(options.url);
const client = new Client(url.origin, { pipelining: 1, keepAliveTimeout: 60_000 });
const samples = [];
let running = true;

process.stdin.on('data', () => {});
process.stdin.on('end', () => {
  running = false;
});
process.stdin.on('close', () => {
  running = false;
});

while (running) {
  const startedAt = Date.now();
  const start = process.hrtime.bigint();
  let ok = false;
  try {
    const response = await client.request({
      method: 'GET',
      path: url.pathname,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    await response.body.dump();
    ok = response.statusCode === 200;
  } catch {
    ok = false;
  }
  const latencyMs = Number(process.hrtime.bigint() - start) / 1e6;
  samples.push([startedAt, Math.round(latencyMs * 1000) / 1000, ok]);
  await sleep(Math.max(0, options.intervalMs - latencyMs));
}

await client.close();
process.stdout.write(`${JSON.stringify({ samples })}\n`);
