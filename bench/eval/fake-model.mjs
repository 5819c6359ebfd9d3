#!/usr/bin/env node
// A fake OpenAI-compatible model server for the eval benchmark. `POST …/chat/completions` answers a
// fixed, prebuilt `chat.completion` with `usage` after FAKE_LATENCY_MS (0: at once, no timer), on a
// keep-alive `node:http` server. Every other path answers 404. It keeps a count and the times of the
// first request and the last answer, so a run's model-call phase can be read from here, the same
// way for every tool.
//
// Control (for run.mjs; not part of any API):
//   GET  /__stats            since the last reset: "requests", "answered", "in_flight",
//                             "max_in_flight" (the concurrency the tool reached), "connections" (opened), "first_request_ms",
//                             "last_answer_ms", "span_ms" (this process's clock) and the same two
//                             moments as epoch ms, "cpu_ms" (this server's own CPU),
//                             "answers_per_100ms" (answers in each 100 ms since the first request)
//                             and "watched" (below)
//   POST /__reset?latency=N  zero the counters, forget the watched process, set the latency
//   POST /__watch?pid=P&expect=N  read process P's CPU time (/proc/P/stat: all threads, and
//                            /proc/P/task/P/stat: its main thread) at the first request and at the
//                            N-th answer (and its VmRSS), so a run phase's CPU can be told from
//                            start-up and exit
//
// Environment: FAKE_PORT (default 0 = any; the port is printed as JSON on stdout), FAKE_LATENCY_MS.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';

export const answerText = 'Forty-two is the answer.';

/** Busy CPU seconds of the whole machine so far (/proc/stat: everything but idle and iowait); shared by the scripts. */
export function machineBusySeconds() {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}
/** The `__expected` cell that passes on every answer of this server. */
export const expectedCell = 'icontains: forty-two';

const completion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1700000000,
    model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content: answerText }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
  }),
);
const completionHeaders = { 'content-type': 'application/json', 'content-length': completion.length };
const notFound = Buffer.from('{"error":{"message":"not found","type":"invalid_request_error"}}');

let latencyMs = Number(process.env.FAKE_LATENCY_MS ?? 0);
/** Width of the answers-per-bucket timeline (default 100 ms; a smaller one shows a run in more detail). */
const bucketMs = Number(process.env.FAKE_BUCKET_MS ?? 100);
/** `/__watch`: the process whose CPU is read at the first request and at the `expect`-th answer. */
let watch;
let stats;

/**
 * CPU seconds (user + system, 10 ms ticks) of a process (all threads), of its main thread and of
 * each thread by id, and its resident set in KB.
 */
function cpuOf(pid) {
  const read = (path) => {
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const threads = {};
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        threads[tid] = read(`/proc/${pid}/task/${tid}/stat`);
      } catch {}
    }
    return {
      process: read(`/proc/${pid}/stat`),
      main: read(`/proc/${pid}/task/${pid}/stat`),
      threads,
      rss_kb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN),
    };
  } catch {
    return undefined;
  }
}

function reset() {
  stats = {
    requests: 0,
    answered: 0,
    inFlight: 0,
    maxInFlight: 0,
    connections: 0,
    first: undefined,
    last: undefined,
    cpu: process.cpuUsage(),
    watchedAtFirst: undefined,
    watchedAtLast: undefined,
    /** Answers per 100 ms since the first request: how the pace changes during a run. */
    timeline: [],
  };
}
reset();

function json(response, status, value) {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  response.end(body);
}

function handle(request, response) {
  const url = request.url ?? '/';
  if (request.method === 'POST' && url.endsWith('/chat/completions')) {
    stats.requests += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    if (stats.first === undefined) {
      stats.first = performance.now();
      if (watch) stats.watchedAtFirst = cpuOf(watch.pid);
    }
    const answer = () => {
      response.writeHead(200, completionHeaders);
      response.end(completion);
      stats.inFlight -= 1;
      stats.answered += 1;
      stats.last = performance.now();
      const bucket = Math.floor((stats.last - stats.first) / bucketMs);
      while (stats.timeline.length <= bucket) stats.timeline.push(0);
      stats.timeline[bucket] += 1;
      if (watch && stats.answered === watch.expect) stats.watchedAtLast = cpuOf(watch.pid);
    };
    // The body is read (and dropped) before answering, as a real server would.
    request.on('data', () => {});
    request.on('end', () => (latencyMs > 0 ? setTimeout(answer, latencyMs) : answer()));
    return;
  }
  if (url === '/__stats') {
    const cpu = process.cpuUsage(stats.cpu);
    return json(response, 200, {
      requests: stats.requests,
      answered: stats.answered,
      in_flight: stats.inFlight,
      max_in_flight: stats.maxInFlight,
      connections: stats.connections,
      latency_ms: latencyMs,
      first_request_ms: stats.first ?? null,
      last_answer_ms: stats.last ?? null,
      span_ms: stats.first === undefined || stats.last === undefined ? null : stats.last - stats.first,
      // The same two moments as Unix epoch milliseconds, comparable with another process's clock.
      first_request_epoch_ms: stats.first === undefined ? null : performance.timeOrigin + stats.first,
      last_answer_epoch_ms: stats.last === undefined ? null : performance.timeOrigin + stats.last,
      cpu_ms: (cpu.user + cpu.system) / 1000,
      answers_per_100ms: stats.timeline,
      watched: watch
        ? {
            ...watch,
            at_first_request: stats.watchedAtFirst ?? null,
            at_last_answer: stats.watchedAtLast ?? null,
          }
        : null,
    });
  }
  if (request.method === 'POST' && url.startsWith('/__reset')) {
    const latency = new URL(url, 'http://x').searchParams.get('latency');
    if (latency !== null) latencyMs = Number(latency);
    watch = undefined;
    reset();
    return json(response, 200, { latency_ms: latencyMs });
  }
  if (request.method === 'POST' && url.startsWith('/__watch')) {
    const params = new URL(url, 'http://x').searchParams;
    watch = { pid: Number(params.get('pid')), expect: Number(params.get('expect')) };
    return json(response, 200, { watching: watch, requests_so_far: stats.requests });
  }
  request.resume();
  response.writeHead(404, { 'content-type': 'application/json', 'content-length': notFound.length });
  response.end(notFound);
}

// run.mjs imports this file for `expectedCell`; only `node fake-model.mjs` starts the server.
const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const server = createServer(handle);
  server.on('connection', () => {
    stats.connections += 1;
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.requestTimeout = 0;
  server.listen(Number(process.env.FAKE_PORT ?? 0), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}
