// A preload for looking inside one `flywheel eval` (or promptfoo) process while it runs; the
// README's analysis was made with it. It changes nothing in the program; it only observes:
//
//   BENCH_NODE_ARGS="--import /abs/path/bench/eval/diagnose.mjs" DIAGNOSE_OUT=/tmp/diag.json \
//     BENCH_TOOLS=flywheel node bench/eval/run.mjs
//   (or: node --import ./bench/eval/diagnose.mjs packages/cli/bundle/flywheel.js eval …)
//
// At exit (main thread only) it writes JSON to DIAGNOSE_OUT (default ./diagnose.json):
//   stalls       every time the event loop was late by ≥ DIAGNOSE_STALL_MS (default 20) — a 5 ms
//                interval timer that fired late — with when (ms since start) and how long
//   requests     undici client requests (the eval's gateway client and the gateway's provider
//                client use undici; so does fetch) by method and path pattern: count, p50, p99 and
//                max ms from creation to the response headers, and when the slowest ones started
//   gc           garbage-collection pauses on the main thread by kind: count, total ms, max ms
//   memory       process.memoryUsage() every DIAGNOSE_MEMORY_EVERY_MS (default 1000) in MB
// With DIAGNOSE_FORCE_GC=1, a full garbage collection runs before each memory sample, so heapUsed
// is the live set (slows the run down; use it for memory questions only).
import diagnosticsChannel from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const out = process.env.DIAGNOSE_OUT ?? 'diagnose.json';
  const stallMs = Number(process.env.DIAGNOSE_STALL_MS ?? 20);
  const memoryEvery = Number(process.env.DIAGNOSE_MEMORY_EVERY_MS ?? 1000);
  let forceGc;
  if (process.env.DIAGNOSE_FORCE_GC === '1') {
    v8.setFlagsFromString('--expose-gc');
    forceGc = vm.runInNewContext('gc');
  }
  const start = performance.now();
  const since = () => Math.round(performance.now() - start);

  // Event-loop stalls.
  const stalls = [];
  let expected = performance.now() + 5;
  setInterval(() => {
    const now = performance.now();
    const late = now - expected;
    if (late >= stallMs) stalls.push({ at: Math.round(expected - start), ms: Math.round(late) });
    expected = now + 5;
  }, 5).unref();

  // undici requests: creation → response headers.
  const requests = new Map();
  const open = new WeakMap();
  const pattern = (path) =>
    path
      .split('?')[0]
      .replace(/\/exp_[A-Za-z0-9]+/g, '/:id')
      .replace(/\/[0-9a-f]{8}-[0-9a-f-]{27,}/g, '/:id');
  diagnosticsChannel.channel('undici:request:create').subscribe(({ request }) => {
    open.set(request, performance.now());
  });
  diagnosticsChannel.channel('undici:request:headers').subscribe(({ request }) => {
    const created = open.get(request);
    if (created === undefined) return;
    const key = `${request.method} ${request.origin ?? ''}${pattern(request.path)}`;
    const entry = requests.get(key) ?? { times: [], slowest: [] };
    const ms = performance.now() - created;
    entry.times.push(ms);
    entry.slowest.push({ at: Math.round(created - start), ms: Math.round(ms) });
    if (entry.slowest.length > 40) {
      entry.slowest.sort((a, b) => b.ms - a.ms);
      entry.slowest.length = 20;
    }
    requests.set(key, entry);
  });

  // GC pauses.
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
  };
  const gc = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[entry.detail?.kind] ?? 'other';
      gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 };
      gc[kind].count += 1;
      gc[kind].totalMs += entry.duration;
      gc[kind].maxMs = Math.max(gc[kind].maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });

  // Memory.
  const memory = [];
  setInterval(() => {
    forceGc?.();
    const usage = process.memoryUsage();
    memory.push({
      at: since(),
      rss: usage.rss >> 20,
      heapTotal: usage.heapTotal >> 20,
      heapUsed: usage.heapUsed >> 20,
      external: usage.external >> 20,
      arrayBuffers: usage.arrayBuffers >> 20,
    });
  }, memoryEvery).unref();

  process.on('exit', () => {
    const summary = {};
    for (const [key, { times, slowest }] of requests) {
      times.sort((a, b) => a - b);
      summary[key] = {
        count: times.length,
        p50: Number(times[Math.floor(times.length / 2)].toFixed(1)),
        p99: Number(times[Math.floor(times.length * 0.99)].toFixed(1)),
        max: Number(times.at(-1).toFixed(1)),
        slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 10),
      };
    }
    writeFileSync(
      out,
      JSON.stringify(
        {
          wallMs: since(),
          stalls,
          requests: summary,
          gc,
          memory,
          maxRssMb: process.resourceUsage().maxRSS >> 10,
        },
        null,
        1,
      ),
    );
  });
}
