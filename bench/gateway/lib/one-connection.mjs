#!/usr/bin/env node
// Sequential requests over one keep-alive connection per target, timing each one to the response
// headers, to the first body chunk and to the end. The targets take turns in blocks (the order
// rotating every round), so every target sees the same machine: run one after another, a drift
// of the machine's speed between two targets' turns (±0.05–0.1 ms here) read as a difference
// between the proxies. Run pinned to the load core by run.mjs; prints one JSON line.
//
// Usage: node one-connection.mjs '{"targets":[{"name":"direct","url":"http://127.0.0.1:4000/v1/chat/completions",
//                                  "headers":{},"body":"{...}"}, …],"requests":3000,"warmup":300,"block":250}'
import { Client } from 'undici';
import { percentile } from './report.mjs';

const options = JSON.parse(process.argv[2]);

const targets = options.targets.map((target) => {
  const url = new URL(target.url);
  return {
    ...target,
    path: url.pathname,
    client: new Client(url.origin, { pipelining: 1, keepAliveTimeout: 60_000 }),
    samples: [],
    errors: 0,
  };
});

async function once(target) {
  const start = process.hrtime.bigint();
  const response = await target.client.request({
    method: 'POST',
    path: target.path,
    headers: target.headers,
    body: target.body,
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

for (const target of targets) for (let index = 0; index < options.warmup; index += 1) await once(target);

const block = Math.max(1, Math.min(options.block ?? 250, options.requests));
for (let round = 0, done = 0; done < options.requests; round += 1) {
  const size = Math.min(block, options.requests - done);
  for (let turn = 0; turn < targets.length; turn += 1) {
    const target = targets[(round + turn) % targets.length];
    // The first requests after another target's turn run on cold caches, for every target alike.
    for (let index = 0; index < size; index += 1) {
      const sample = await once(target);
      if (sample.ok) target.samples.push(sample);
      else target.errors += 1;
    }
  }
  done += size;
}
await Promise.all(targets.map((target) => target.client.close()));

const results = {};
for (const target of targets) {
  results[target.name] = {
    requests: target.samples.length,
    errors: target.errors,
    headersMs: summary(target.samples.map((sample) => sample.headersMs)),
    firstChunkMs: summary(target.samples.map((sample) => sample.firstChunkMs)),
    endMs: summary(target.samples.map((sample) => sample.endMs)),
  };
}
process.stdout.write(`${JSON.stringify(results)}\n`);
