#!/usr/bin/env node
// Where `flywheel eval`'s time per case goes: the same suite run by the built pieces of the CLI,
// adding one layer at a time, each in a fresh process (so each pays its own JIT warm-up, as a real
// run does), against the fake model. Prints numbers; asserts nothing. Run from the repository root
// after `npm run build`:
//
//   node bench/eval/pieces.mjs
//
// Pieces (every one loads the suite with the CLI's suite loader and runs it with `runEval` from
// @flywheel/core at the same concurrency):
//   runner           callModel answers a fixed result at once; write() drops the result
//   + client → fake  callModel is the CLI's gateway client (undici pool) straight to the fake
//   + gateway        the client calls the gateway of Flywheel started in-process, without HTTP
//                    (as `flywheel eval` does: connectEval, decision 0008), which calls the fake;
//                    traces on; write() drops the result
//   full session     runEvalSession, i.e. the above plus the experiment (results appended in
//                    batches of 200 and committed on the writer thread): `flywheel eval` minus
//                    argv parsing and the printed summary
// Measured around the run only (start-up excluded): wall time, process CPU (process.cpuUsage, all
// threads), main-thread CPU (/proc/self/task/<pid>/stat), and the CPU of the other threads.
//
// Knobs: BENCH_PIECES_CASES=1000,10000  BENCH_CONCURRENCY=50  BENCH_PIECES_LATENCY_MS=0,100
//        BENCH_PIECES=runner,client,gateway,session  BENCH_PIECES_WARM=1 (measure a second run of the
//        suite in the same process, after an unmeasured first one: JIT warm)  BENCH_PIECES_RUNS=3
//        (runs per cell, interleaved; medians shown)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { answerText, expectedCell, machineBusySeconds } from './fake-model.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const env = process.env;
const list = (value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 50);

const cli = (path) => import(pathToFileURL(join(root, 'packages', 'cli', 'dist', path)).href);

function threadCpuSeconds(tid) {
  try {
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds by thread id, from /proc/self/task. */
function threadCpu() {
  return new Map(readdirSync('/proc/self/task').map((tid) => [tid, threadCpuSeconds(tid)]));
}

if (process.argv[2] === '--piece') {
  await runPiece(process.argv[3], JSON.parse(process.argv[4]));
  process.exit(0);
}

/** One piece in this (fresh) process; prints one JSON line. */
async function runPiece(piece, { folder, fakeUrl, cases, warm }) {
  const { runEval, assertionRegistry } = await import(
    pathToFileURL(join(root, 'node_modules', '@flywheel', 'core', 'dist', 'index.js')).href
  );
  const { loadSuite } = await cli('eval/suite-loader.js');
  const { createGatewayClient } = await cli('eval/gateway-client.js');
  const { connectEval } = await cli('eval/eval-connection.js');
  const { runEvalSession } = await cli('eval/eval-session.js');
  // Threads that exist before Flywheel starts: the main thread and V8's platform workers (GC,
  // concurrent compilation). Threads that appear later are Flywheel's (the trace writer worker)
  // and libuv's pool.
  const early = new Set(threadCpu().keys());
  const suitePath = join(folder, 'flywheel.yaml');
  const noSources = {
    getPrompt: () => Promise.reject(new Error('no')),
    datasetItems: () => Promise.reject(new Error('no')),
  };
  const io = {
    stdout: () => {},
    stderr: () => {},
    env: {},
    cwd: folder,
    onShutdownSignal: () => () => {},
  };
  const input = {
    positionals: [suitePath],
    flags: {
      'data-dir': join(folder, `data-${piece}-${process.pid}`),
      config: join(folder, 'flywheel.config.yaml'),
    },
  };

  let connection;
  let gateway;
  let run;
  if (piece === 'session') {
    connection = await connectEval(input, io);
    run = () =>
      runEvalSession(connection, {
        suitePath,
        name: 'pieces',
        concurrency,
        repeat: 1,
        cache: false,
        signal: new AbortController().signal,
        progress: () => {},
        interactive: false,
      });
  } else {
    const suite = await loadSuite(suitePath, noSources, assertionRegistry);
    let callModel;
    if (piece === 'runner') {
      const answer = {
        output: answerText,
        inputTokens: 12,
        outputTokens: 6,
        cost: null,
        latencyMs: 0,
        traceId: null,
        cached: false,
      };
      callModel = async () => {
        await null;
        return answer;
      };
    } else {
      if (piece === 'gateway') connection = await connectEval(input, io);
      gateway = createGatewayClient(
        piece === 'gateway'
          ? {
              baseUrl: connection.baseUrl,
              apiKey: connection.apiKey,
              connections: Math.max(concurrency, 8),
              // As `flywheel eval` does: the embedded gateway without HTTP (decision 0008).
              ...(connection.inProcess ? { inProcess: connection.inProcess } : {}),
            }
          : { baseUrl: fakeUrl, apiKey: 'x', connections: Math.max(concurrency, 8) },
      );
      const alias = piece === 'gateway' ? 'bench' : 'bench-model';
      callModel = ({ rendered, signal }) =>
        gateway.chat({
          alias,
          body: { messages: typeof rendered === 'string' ? [{ role: 'user', content: rendered }] : rendered },
          signal,
        });
    }
    run = () =>
      runEval(
        {
          prompts: suite.prompts,
          providers: suite.providers,
          cases: suite.cases(),
          caseCount: suite.caseCount,
        },
        { callModel, write: () => {} },
        { concurrency },
      );
  }

  // BENCH_PIECES_WARM=1: run the whole suite once first, in this process, unmeasured (JIT warm).
  if (warm) {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Zero the fake's counters (its latency stays), so its first-call → last-answer span is this run's.
  await fetch(`${fakeUrl}/__reset`, { method: 'POST' });
  const cpuBefore = process.cpuUsage();
  const threadsBefore = threadCpu();
  const started = performance.now();
  const outcome = await run();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const threadsAfter = threadCpu();
  const used = (tid) => (threadsAfter.get(tid) ?? 0) - (threadsBefore.get(tid) ?? 0);
  const main = String(process.pid);
  const mainS = used(main);
  let v8S = 0;
  let laterS = 0;
  for (const tid of threadsAfter.keys()) {
    if (tid === main) continue;
    if (early.has(tid)) v8S += used(tid);
    else laterS += used(tid);
  }
  const summary = outcome.summary ?? outcome;
  await gateway?.close();
  await connection?.close();
  process.stdout.write(
    `${JSON.stringify({
      piece,
      cases,
      wallMs,
      cpuS: (cpu.user + cpu.system) / 1e6,
      mainS,
      v8S,
      laterS,
      passed: summary.total.passed,
      processCpuS: (() => {
        const whole = process.cpuUsage();
        return (whole.user + whole.system) / 1e6;
      })(),
    })}\n`,
  );
}

// ---------------------------------------------------------------------------------------------

const settings = {
  cases: list(env.BENCH_PIECES_CASES ?? '1000,10000').map(Number),
  latencies: list(env.BENCH_PIECES_LATENCY_MS ?? '0,100').map(Number),
  pieces: list(env.BENCH_PIECES ?? 'runner,client,gateway,session'),
  warm: env.BENCH_PIECES_WARM === '1',
  runs: Number(env.BENCH_PIECES_RUNS ?? 3),
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const work = mkdtempSync(join(tmpdir(), 'fw-bench-pieces-'));
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

const fakeChild = spawn(process.execPath, [join(here, 'fake-model.mjs')], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
children.add(fakeChild);
const port = await new Promise((resolve) => {
  let text = '';
  fakeChild.stdout.on('data', (chunk) => {
    text += chunk;
    if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]).port);
  });
});
const fakeUrl = `http://127.0.0.1:${port}`;

function folderFor(cases) {
  const folder = mkdtempSync(join(work, `suite-${cases}-`));
  const rows = ['question,__expected'];
  for (let index = 0; index < cases; index += 1)
    rows.push(`What is the answer to question number ${index}?,${expectedCell}`);
  writeFileSync(join(folder, 'cases.csv'), `${rows.join('\n')}\n`);
  writeFileSync(
    join(folder, 'flywheel.yaml'),
    'prompts: ["Answer briefly: {{question}}"]\nproviders: [flywheel:bench]\ntests: file://cases.csv\n',
  );
  writeFileSync(
    join(folder, 'flywheel.config.yaml'),
    `models:\n  - name: bench\n    targets: [{ provider: openai-compatible, model: bench-model, base_url: "${fakeUrl}/v1", api_key: x }]\n    retries: { max: 0 }\n`,
  );
  return folder;
}

function runChild(piece, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), '--piece', piece, JSON.stringify(options)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('FLYWHEEL_'))),
      },
    );
    children.add(child);
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.once('exit', (code) => {
      children.delete(child);
      const line = text.trim().split('\n').at(-1);
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`${piece} exited with ${code}: ${text}`));
    });
  });
}

const labels = {
  runner: 'runner (stub model)',
  client: '+ gateway client → fake',
  gateway: '+ in-process gateway (traced)',
  session: '+ experiment storage (runEvalSession)',
};
process.stdout.write(
  `# Pieces of flywheel eval (${new Date().toISOString()}), concurrency ${concurrency}\n\n`,
);
process.stdout.write(
  '| fake latency | cases | piece | run phase s (fake: first call → last answer) | run wall s (whole run() call) | CPU ms/case, all threads | main thread | V8 platform threads (GC, compiler) | threads started later (trace writer, libuv) | Δ all threads vs the line above | other programs, cores (max) | passed |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n',
);
// Every cell runs BENCH_PIECES_RUNS times (the pieces interleaved); the table shows medians.
const cells = new Map();
for (let run = 1; run <= settings.runs; run += 1) {
  for (const latency of settings.latencies) {
    for (const cases of settings.cases) {
      const folder = folderFor(cases);
      for (const piece of settings.pieces) {
        await fetch(`${fakeUrl}/__reset?latency=${latency}`, { method: 'POST' });
        process.stderr.write(`run ${run}/${settings.runs}: ${piece}, ${cases} cases at ${latency} ms\n`);
        const busyBefore = machineBusySeconds();
        const started = performance.now();
        const result = await runChild(piece, { folder, fakeUrl, cases, warm: settings.warm });
        const elapsed = (performance.now() - started) / 1000;
        const fake = await fetch(`${fakeUrl}/__stats`).then((response) => response.json());
        // Everything the machine did meanwhile minus the piece's process (its CPU over its whole life,
        // read just before it exits) and the fake's: other programs, in cores.
        const other = (machineBusySeconds() - busyBefore - result.processCpuS - fake.cpu_ms / 1000) / elapsed;
        const key = `${latency}|${cases}|${piece}`;
        const list = cells.get(key) ?? [];
        list.push({ ...result, span: fake.span_ms / 1000, other });
        cells.set(key, list);
      }
    }
  }
}
for (const latency of settings.latencies) {
  for (const cases of settings.cases) {
    let previous;
    for (const piece of settings.pieces) {
      const runs = cells.get(`${latency}|${cases}|${piece}`);
      const per = (pick) => (median(runs.map(pick)) * 1000) / cases;
      const all = per((run) => run.cpuS);
      process.stdout.write(
        `| ${latency} ms | ${cases} | ${labels[piece] ?? piece} | ${piece === 'runner' ? '–' : median(runs.map((run) => run.span)).toFixed(2)} | ${median(runs.map((run) => run.wallMs / 1000)).toFixed(2)} | ${all.toFixed(3)} | ${per((run) => run.mainS).toFixed(3)} | ${per((run) => run.v8S).toFixed(3)} | ${per((run) => run.laterS).toFixed(3)} | ${previous === undefined ? '' : (all - previous).toFixed(3)} | ${Math.max(...runs.map((run) => run.other)).toFixed(2)} | ${runs.map((run) => run.passed).join(', ')} |\n`,
      );
      previous = all;
    }
  }
}
fakeChild.kill('SIGTERM');
