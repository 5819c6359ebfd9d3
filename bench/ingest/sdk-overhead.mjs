#!/usr/bin/env node
// SDK overhead on the host app: time on the caller's path per span (start + end, with input and
// output), and memory while the server is down (the exporter's queue is bounded). Prints numbers;
// asserts nothing. Run from the repo root after `npm run build`: node bench/ingest/sdk-overhead.mjs
import { createFlywheelTracer } from '../../packages/sdk/dist/node/index.js';

const spans = Number(process.env.BENCH_SPANS ?? 200_000);
// Nothing listens on this port: the server is "down" for the whole run.
const tracer = createFlywheelTracer({
  baseUrl: 'http://127.0.0.1:9',
  apiKey: 'fw_sk_x',
  flushIntervalMs: 200,
  retryDelayMs: 50,
});
const input = { messages: [{ role: 'user', content: 'x'.repeat(500) }] };
const output = { role: 'assistant', content: 'y'.repeat(200) };

function run(count, parent) {
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) {
    const span = tracer.span({
      name: 'chat',
      kind: 'generation',
      model: 'gpt-4o-mini',
      input,
      ...(parent ? { parent } : {}),
    });
    span.end({ output, usage: { inputTokens: 100, outputTokens: 20 } });
  }
  return Number(process.hrtime.bigint() - started) / 1000 / count;
}

run(20_000); // warm-up
const rssBefore = process.memoryUsage().rss;
const perSpan = [];
const inTrace = [];
const trace = tracer.trace({ name: 'request' });
for (let round = 0; round < 5; round++) {
  perSpan.push(run(spans / 10));
  inTrace.push(run(spans / 10, trace));
  await new Promise((resolve) => setTimeout(resolve, 100));
}
global.gc?.();
const rssAfter = process.memoryUsage().rss;
const stats = tracer.stats();
console.log(`# SDK overhead (${new Date().toISOString()}, Node ${process.version})`);
console.log(
  `caller's path per span inside a trace (start + end), µs: ${inTrace.map((value) => value.toFixed(2)).join(', ')}`,
);
console.log(
  `caller's path per span that starts its own trace (4 events), µs: ${perSpan.map((value) => value.toFixed(2)).join(', ')}`,
);
console.log(
  `server down: queued ${stats.queued} events (cap 10000), dropped ${stats.dropped}, retries ${stats.retries}`,
);
console.log(
  `RSS before ${(rssBefore / 1e6).toFixed(0)} MB, after ${(rssAfter / 1e6).toFixed(0)} MB over ${spans} spans`,
);
process.exit(0);
