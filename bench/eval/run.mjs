#!/usr/bin/env node
// Evaluation benchmark: `flywheel eval` (and promptfoo, side by side, in the same run) on one suite
// against a fake OpenAI-compatible model on 127.0.0.1. Prints numbers; asserts nothing (STYLE rule
// 21). Run from the repository root after `npm run build` (and `npm --prefix bench/eval install`
// for promptfoo):
//
//   node bench/eval/run.mjs                  # everything, about 20 minutes
//   BENCH_QUICK=1 node bench/eval/run.mjs    # a smoke run, about 2 minutes
//
// Knobs (environment; README.md has the table): BENCH_CASES, BENCH_CONCURRENCY, BENCH_LATENCY_MS,
// BENCH_MEMORY_CASES, BENCH_PROMPTFOO_MEMORY_CASES, BENCH_MEMORY_LATENCY_MS, BENCH_RUNS,
// BENCH_TOOLS=flywheel,promptfoo, BENCH_NODE_ARGS, BENCH_QUIET_WAIT_S, BENCH_KEEP=1, BENCH_QUICK=1.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedCell, machineBusySeconds } from './fake-model.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const flywheelBin = join(root, 'packages', 'cli', 'bundle', 'flywheel.js');
const promptfooBin = join(here, 'node_modules', 'promptfoo', 'dist', 'src', 'entrypoint.js');
const timeBin = '/usr/bin/time';
const env = process.env;
const quick = env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const list = (value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const settings = {
  cases: Number(env.BENCH_CASES ?? (quick ? 200 : 1000)),
  concurrency: Number(env.BENCH_CONCURRENCY ?? 50),
  latencyMs: Number(env.BENCH_LATENCY_MS ?? 100),
  memoryCases: list(env.BENCH_MEMORY_CASES ?? (quick ? '1000,10000' : '10000,100000')).map(Number),
  promptfooMemoryCases: list(env.BENCH_PROMPTFOO_MEMORY_CASES ?? (quick ? '1000' : '10000,30000')).map(
    Number,
  ),
  memoryLatencyMs: Number(env.BENCH_MEMORY_LATENCY_MS ?? 0),
  runs: Number(env.BENCH_RUNS ?? (quick ? 1 : 3)),
  tools: list(env.BENCH_TOOLS ?? 'flywheel,promptfoo'),
  nodeArgs: env.BENCH_NODE_ARGS ? env.BENCH_NODE_ARGS.split(' ').filter(Boolean) : [],
  keep: env.BENCH_KEEP === '1',
  quietWaitS: Number(env.BENCH_QUIET_WAIT_S ?? 300),
};
const say = (line = '') => process.stdout.write(`${line}\n`);
const note = (line) => process.stderr.write(`${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'fw-bench-eval-'));
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  if (!settings.keep) rmSync(work, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

// ---------------------------------------------------------------------------------------------
// The fake model, in a process of its own (its CPU is not the tools').

async function startFake() {
  const child = spawn(process.execPath, [join(here, 'fake-model.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const port = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n')) resolve(JSON.parse(line).port);
    });
    child.once('exit', (code) => reject(new Error(`fake model exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    pid: child.pid,
    async reset(latencyMs) {
      await fetch(`${base}/__reset?latency=${latencyMs}`, { method: 'POST' }).then((r) => r.json());
    },
    stats: () => fetch(`${base}/__stats`).then((r) => r.json()),
    async watch(pid, expect) {
      await fetch(`${base}/__watch?pid=${pid}&expect=${expect}`, { method: 'POST' }).then((r) => r.json());
    },
    stop() {
      child.kill('SIGTERM');
      children.delete(child);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Suites: one folder per case count with cases.csv and both tools' suite files.

function suiteFolder(cases, port) {
  const folder = join(work, `suite-${cases}`);
  if (existsSync(folder)) return folder;
  mkdirSync(folder);
  const rows = ['question,__expected'];
  for (let index = 0; index < cases; index += 1) {
    rows.push(`What is the answer to question number ${index}?,${expectedCell}`);
  }
  writeFileSync(join(folder, 'cases.csv'), `${rows.join('\n')}\n`);
  const common = ['prompts: ["Answer briefly: {{question}}"]'];
  writeFileSync(
    join(folder, 'flywheel.yaml'),
    [...common, 'providers: [flywheel:bench]', 'tests: file://cases.csv', ''].join('\n'),
  );
  writeFileSync(
    join(folder, 'promptfoo.yaml'),
    [
      ...common,
      'providers:',
      '  - id: openai:chat:bench-model',
      `    config: { apiBaseUrl: "http://127.0.0.1:${port}/v1", apiKey: x }`,
      'tests: file://cases.csv',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(folder, 'flywheel.config.yaml'),
    [
      'models:',
      '  - name: bench',
      `    targets: [{ provider: openai-compatible, model: bench-model, base_url: "http://127.0.0.1:${port}/v1", api_key: x }]`,
      '    retries: { max: 0 }',
      '',
    ].join('\n'),
  );
  return folder;
}

/** The command line of one tool on one suite; `dir` is a fresh folder for its data and output. */
function commandOf(tool, folder, dir) {
  // Nothing from the caller's environment may point the tools elsewhere.
  const clean = Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith('FLYWHEEL_') && !name.startsWith('PROMPTFOO_')),
  );
  if (tool === 'flywheel') {
    return {
      args: [
        ...settings.nodeArgs,
        flywheelBin,
        'eval',
        join(folder, 'flywheel.yaml'),
        '--data-dir',
        join(dir, 'data'),
        '--config',
        join(folder, 'flywheel.config.yaml'),
        '--no-cache',
        '-j',
        String(settings.concurrency),
      ],
      env: clean,
    };
  }
  mkdirSync(join(dir, 'promptfoo-home'));
  return {
    args: [
      promptfooBin,
      'eval',
      '-c',
      join(folder, 'promptfoo.yaml'),
      '-j',
      String(settings.concurrency),
      '--no-cache',
      '--no-share',
      '--no-progress-bar',
      '--no-table',
      '-o',
      join(dir, 'results.jsonl'),
    ],
    env: {
      ...clean,
      PROMPTFOO_CONFIG_DIR: join(dir, 'promptfoo-home'), // its database and logs, fresh per run
      PROMPTFOO_DISABLE_TELEMETRY: '1',
      PROMPTFOO_CACHE_ENABLED: 'false',
      PROMPTFOO_DISABLE_UPDATE: '1',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One measured run: /usr/bin/time around the tool's node process (CPU user+system of the process and
// its threads, max RSS), the fake's counters, and the resident set sampled from /proc every 200 ms.

function readStatus(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function childPid(pid) {
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const found = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ')[0];
      if (found) return Number(found);
    }
  } catch {}
  return undefined;
}

async function findChild(pid) {
  for (let tries = 0; tries < 1000; tries += 1) {
    const found = childPid(pid);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return undefined;
}

/**
 * Waits (up to BENCH_QUIET_WAIT_S) until the machine is quiet — other programs using less than
 * 0.2 of a core over one second — so a run is not measured while something else is busy.
 */
async function waitForQuiet() {
  const deadline = performance.now() + settings.quietWaitS * 1000;
  let load;
  let told = Number.NEGATIVE_INFINITY;
  do {
    const before = machineBusySeconds();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    load = machineBusySeconds() - before;
    if (load < 0.2) return load;
    if (performance.now() - told > 30_000) {
      told = performance.now();
      note(`  waiting for the machine to be quiet (other programs use ${load.toFixed(2)} cores)…`);
    }
  } while (performance.now() < deadline);
  note(`  measuring anyway after ${settings.quietWaitS} s (other programs use ${load.toFixed(2)} cores)`);
  return load;
}

async function measure(fake, tool, cases, latencyMs) {
  const loadBefore = await waitForQuiet();
  const folder = suiteFolder(cases, fake.port);
  const dir = mkdtempSync(join(work, `${tool}-${cases}-`));
  const { args, env: childEnv } = commandOf(tool, folder, dir);
  await fake.reset(latencyMs);
  const timeFile = join(dir, 'time.txt');
  const stdoutFile = join(dir, 'stdout.txt');
  const stderrFile = join(dir, 'stderr.txt');
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  const busyBefore = machineBusySeconds();
  const selfBefore = process.cpuUsage();
  const started = performance.now();
  const startedEpoch = performance.timeOrigin + started;
  const child = spawn(timeBin, ['-f', '%e %U %S %M', '-o', timeFile, process.execPath, ...args], {
    cwd: dir,
    env: childEnv,
    stdio: ['ignore', out, err],
  });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  // The tool's node process (the child of /usr/bin/time): the fake reads its CPU time at the first
  // request and at the last answer. Both tools need ~1 s before their first call; this takes ms.
  const node = await findChild(child.pid);
  if (node !== undefined) await fake.watch(node, cases);
  const samples = [];
  const sampler = setInterval(async () => {
    if (node === undefined) return;
    const rssKb = readStatus(node);
    const at = performance.now() - started;
    const requests = await fake.stats().then(
      (stats) => stats.requests,
      () => undefined,
    );
    if (rssKb > 0) samples.push({ at, rssKb, requests });
  }, 200);
  const code = await exited;
  const ended = performance.now();
  const busy = machineBusySeconds() - busyBefore;
  const self = process.cpuUsage(selfBefore);
  clearInterval(sampler);
  children.delete(child);
  closeSync(out);
  closeSync(err);
  const stats = await fake.stats();
  const [, user, system, maxRssKb] = readFileSync(timeFile, 'utf8')
    .trim()
    .split('\n')
    .at(-1)
    .split(' ')
    .map(Number);
  const stdout = readFileSync(stdoutFile, 'utf8');
  const stderr = readFileSync(stderrFile, 'utf8');
  const first = stats.watched?.at_first_request;
  const last = stats.watched?.at_last_answer;
  const result = {
    tool,
    cases,
    latencyMs,
    code,
    wallMs: ended - started,
    cpuS: user + system,
    userS: user,
    systemS: system,
    maxRssKb,
    fake: stats,
    runMs: stats.span_ms ?? Number.NaN,
    // Spawn → the fake's first request, and the fake's last answer → exit.
    startupMs:
      stats.first_request_epoch_ms === null ? Number.NaN : stats.first_request_epoch_ms - startedEpoch,
    windDownMs:
      stats.last_answer_epoch_ms === null
        ? Number.NaN
        : performance.timeOrigin + ended - stats.last_answer_epoch_ms,
    startupCpuS: first ? first.process : Number.NaN,
    runCpuS: first && last ? last.process - first.process : Number.NaN,
    runMainCpuS: first && last ? last.main - first.main : Number.NaN,
    rssAtFirstKb: first ? first.rss_kb : Number.NaN,
    rssAtLastKb: last ? last.rss_kb : Number.NaN,
    samples,
    // CPU the rest of the machine used meanwhile, in cores: everything busy minus the tool, the
    // fake and this script. Above ~0.1 the run shared the 2 cores with something else.
    otherLoad:
      (busy - (user + system) - stats.cpu_ms / 1000 - (self.user + self.system) / 1e6) /
      ((ended - started) / 1000),
    loadBefore,
    ...parseOutput(tool, stdout, stderr, dir),
  };
  if (result.otherLoad > 0.15) {
    note(
      `  ${tool} ${cases} cases: other programs used ${result.otherLoad.toFixed(2)} cores during this run`,
    );
  }
  if (result.passed !== cases || code !== 0) {
    result.problem = `exit ${code}, ${result.passed ?? 'no'} passed of ${cases}; stderr: ${stderr.trim().split('\n').slice(-4).join(' | ')}; stdout: ${stdout.trim().split('\n').slice(-4).join(' | ')}`;
    note(`  ! ${tool} ${cases} cases: ${result.problem}`);
  }
  if (result.remark) note(`  ${tool} ${cases} cases: ${result.remark}`);
  if (!settings.keep) rmSync(dir, { recursive: true, force: true });
  else note(`  (kept ${dir})`);
  return result;
}

function parseOutput(tool, stdout, stderr, dir) {
  if (tool === 'flywheel') {
    // "1000 results in 3.5 s; pass rate 100.0%." and the PASSED column of the summary table.
    const match = /(\d+) results in ([\d.]+) s; pass rate ([\d.]+)%/.exec(stdout);
    const row = /^Answer briefly.*?\s+(\d+)\s+(\d+)\s+(\d+)\s+[\d.]+\s/m.exec(stdout);
    return {
      selfReportedS: match ? Number(match[2]) : undefined,
      passed: row ? Number(row[1]) : undefined,
    };
  }
  // Passes are counted in the output file: at 30,000 cases promptfoo 0.121.20 exits (code 0, after
  // "closeLogger() timed out during shutdown") before printing its summary. When the summary is
  // there, "Duration: 16s (concurrency: 50)" is its own figure (whole seconds).
  const duration = /Duration: ([^(\n]+?) \(/.exec(stdout + stderr);
  let passed;
  let lines = 0;
  try {
    passed = 0;
    for (const line of readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n')) {
      if (line === '') continue;
      lines += 1;
      if (JSON.parse(line).success === true) passed += 1;
    }
  } catch {
    passed = undefined;
  }
  return {
    selfReportedS: duration ? parseDuration(duration[1]) : undefined,
    passed,
    ...(!/passed \(/.test(stdout + stderr)
      ? { remark: `no summary printed; ${lines} lines in results.jsonl` }
      : {}),
  };
}

function parseDuration(text) {
  let seconds = 0;
  for (const [, value, unit] of text.matchAll(/([\d.]+)\s*([hms])/g)) {
    seconds += Number(value) * { h: 3600, m: 60, s: 1 }[unit];
  }
  return seconds;
}

// ---------------------------------------------------------------------------------------------
// Reporting helpers.

const median = (values) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const range = (values, digits = 2) => {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length < 2) return '';
  return ` (${fixed(Math.min(...finite), digits)}–${fixed(Math.max(...finite), digits)})`;
};
const mb = (kb) => kb / 1024;

// ---------------------------------------------------------------------------------------------

const available = settings.tools.filter((tool) => {
  if (tool === 'flywheel' && !existsSync(flywheelBin)) {
    note(`flywheel: ${flywheelBin} is missing; run \`npm run build\` at the repository root first.`);
    return false;
  }
  if (tool === 'promptfoo' && !existsSync(promptfooBin)) {
    note(`promptfoo: not installed (${promptfooBin} is missing); run \`npm --prefix bench/eval install\`.`);
    return false;
  }
  return tool === 'flywheel' || tool === 'promptfoo';
});
if (!existsSync(timeBin)) {
  note(`${timeBin} is missing (apt-get install time): it measures each run's CPU time and max RSS.`);
  process.exit(1);
}
const versions = {};
if (available.includes('promptfoo')) {
  versions.promptfoo = JSON.parse(
    readFileSync(join(here, 'node_modules', 'promptfoo', 'package.json'), 'utf8'),
  ).version;
}
versions.flywheel = JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')).version;

const fake = await startFake();
const ideal = (settings.cases * settings.latencyMs) / settings.concurrency / 1000;
say(`# Evaluation benchmark (${new Date().toISOString()})`);
say('');
say(
  `Node ${process.version}; ${available.map((tool) => `${tool} ${versions[tool]}`).join(', ')}; ` +
    `suite: 1 prompt × 1 model × N CSV cases, one icontains assertion each; concurrency ${settings.concurrency}; ` +
    `fake model on 127.0.0.1 (keep-alive node:http, fixed completion with usage); ${settings.runs} run(s) per timed cell, medians shown (min–max).`,
);
say('');

// Warm-up: one small run per tool (file system cache, first JIT of the fake), not reported.
for (const tool of available) {
  note(`warm-up: ${tool}, 20 cases`);
  await measure(fake, tool, 20, 0);
}

const timed = { floor: {}, latency: {}, cpu: {} };
for (const tool of available) {
  timed.floor[tool] = [];
  timed.latency[tool] = [];
  timed.cpu[tool] = [];
}
for (let run = 1; run <= settings.runs; run += 1) {
  for (const tool of available) {
    note(`run ${run}/${settings.runs}: ${tool}, 1 case at ${settings.latencyMs} ms (start-up floor)`);
    timed.floor[tool].push(await measure(fake, tool, 1, settings.latencyMs));
  }
  for (const tool of available) {
    note(`run ${run}/${settings.runs}: ${tool}, ${settings.cases} cases at ${settings.latencyMs} ms`);
    timed.latency[tool].push(await measure(fake, tool, settings.cases, settings.latencyMs));
  }
  for (const tool of available) {
    note(`run ${run}/${settings.runs}: ${tool}, ${settings.cases} cases at 0 ms`);
    timed.cpu[tool].push(await measure(fake, tool, settings.cases, 0));
  }
}

const memory = {};
for (const tool of available) {
  memory[tool] = [];
  for (const cases of tool === 'flywheel' ? settings.memoryCases : settings.promptfooMemoryCases) {
    note(`memory: ${tool}, ${cases} cases at ${settings.memoryLatencyMs} ms`);
    memory[tool].push(await measure(fake, tool, cases, settings.memoryLatencyMs));
  }
}

// 1. Wall time.
const verdict = (ok) => (ok ? 'met' : '**not met**');
const seconds = (ms) => ms / 1000;
const perCase = (cpuS, cases) => (cpuS * 1000) / cases;
const hasTimed = settings.runs > 0;
if (hasTimed) {
  say(
    `## 1. Wall time: ${settings.cases} cases, concurrency ${settings.concurrency}, fake answers in ${settings.latencyMs} ms (ideal ${fixed(ideal)} s; target ≤ 1.1× = ${fixed(ideal * 1.1)} s)`,
  );
  say('');
  say(
    '| tool | run phase s (fake: first call → last answer) | ÷ ideal | run phase s (wall N − wall 1 case) | self-reported s | process wall s | start-up s (spawn → first call) | wind-down s (last answer → exit) | max calls in flight | passed |',
  );
  say('|---|---|---|---|---|---|---|---|---|---|');
  for (const tool of available) {
    const runs = timed.latency[tool];
    const floors = timed.floor[tool];
    const span = runs.map((run) => seconds(run.runMs));
    const wall = runs.map((run) => seconds(run.wallMs));
    const difference = runs.map((run, index) => seconds(run.wallMs - floors[index].wallMs));
    say(
      `| ${tool} | ${fixed(median(span))}${range(span)} | ${fixed(median(span) / ideal)}× | ${fixed(median(difference))}${range(difference)} | ${fixed(median(runs.map((run) => run.selfReportedS)), 1)} | ${fixed(median(wall))}${range(wall)} | ${fixed(median(runs.map((run) => seconds(run.startupMs))))} | ${fixed(median(runs.map((run) => seconds(run.windDownMs))))} | ${Math.max(...runs.map((run) => run.fake.max_in_flight))} | ${runs.map((run) => run.passed ?? '–').join(', ')} |`,
    );
  }
  say('');
}

// 2. CPU per case.
say("## 2. CPU per case (user + system of the tool's process, all threads; target ≤ 1 ms raw)");
say('');
say(
  '| tool | cell | cases | process CPU s (user + sys) | raw CPU ms/case | start-up CPU s (to the first call) | run-phase CPU ms/case, all threads | run-phase CPU ms/case, main thread | run phase s | cases/s in the run phase |',
);
say('|---|---|---|---|---|---|---|---|---|---|');
const cpuRow = (tool, cell, runs) => {
  const cases = runs[0].cases;
  const cpu = runs.map((run) => run.cpuS);
  const runPhase = median(runs.map((run) => seconds(run.runMs)));
  say(
    `| ${tool} | ${cell} | ${cases} | ${fixed(median(runs.map((run) => run.userS)))} + ${fixed(median(runs.map((run) => run.systemS)))} = ${fixed(median(cpu))}${range(cpu)} | ${fixed(perCase(median(cpu), cases))} | ${fixed(median(runs.map((run) => run.startupCpuS)))} | ${cases > 1 ? fixed(perCase(median(runs.map((run) => run.runCpuS)), cases)) : '–'} | ${cases > 1 ? fixed(perCase(median(runs.map((run) => run.runMainCpuS)), cases)) : '–'} | ${cases > 1 ? fixed(runPhase) : '–'} | ${cases > 1 ? fixed(cases / runPhase, 0) : '–'} |`,
  );
};
for (const tool of available) {
  if (hasTimed) {
    cpuRow(tool, `${settings.latencyMs} ms fake`, timed.latency[tool]);
    cpuRow(tool, '0 ms fake', timed.cpu[tool]);
    cpuRow(tool, `1 case, ${settings.latencyMs} ms fake (start-up floor)`, timed.floor[tool]);
  }
  for (const run of memory[tool]) cpuRow(tool, `${settings.memoryLatencyMs} ms fake (memory run)`, [run]);
}
say('');
say(
  'Process CPU is `/usr/bin/time` (`%U + %S`, the node process with all its threads). Start-up CPU and the run-phase columns come from `/proc/<pid>/stat` (process) and `/proc/<pid>/task/<pid>/stat` (main thread), read by the fake model at the first request and at the last answer (10 ms ticks).',
);
say('');

// 3. Memory.
say(
  `## 3. Peak memory (max RSS; fake answers in ${settings.memoryLatencyMs} ms; concurrency ${settings.concurrency}; target: largest run ≤ 1.5× smallest)`,
);
say('');
say(
  '| tool | cases | max RSS MB | ÷ smallest run | RSS MB at the first call | RSS MB at 25 / 50 / 75 % of calls | RSS MB at the last answer | process wall s | passed |',
);
say('|---|---|---|---|---|---|---|---|---|');
const rssAtShare = (run, share) =>
  run.samples.find((sample) => sample.requests >= run.cases * share)?.rssKb ?? Number.NaN;
for (const tool of available) {
  const smallest = memory[tool][0];
  if (!smallest) continue;
  for (const run of memory[tool]) {
    say(
      `| ${tool} | ${run.cases} | ${fixed(mb(run.maxRssKb), 0)} | ${fixed(run.maxRssKb / smallest.maxRssKb)}× | ${fixed(mb(run.rssAtFirstKb), 0)} | ${[0.25, 0.5, 0.75].map((share) => fixed(mb(rssAtShare(run, share)), 0)).join(' / ')} | ${fixed(mb(run.rssAtLastKb), 0)} | ${fixed(seconds(run.wallMs), 1)} | ${run.passed ?? '–'} |`,
    );
  }
}
say('');
say(
  'Max RSS is `/usr/bin/time` `%M` (the peak over the whole process life). The other RSS columns are `VmRSS` from `/proc/<pid>/status`: at the first call and the last answer read by the fake, in between sampled every 200 ms.',
);
say('');

// Verdicts.
say('## Targets');
say('');
for (const tool of available) {
  const span = median(timed.latency[tool].map((run) => seconds(run.runMs)));
  const cpuRuns = timed.cpu[tool];
  const raw = perCase(median(cpuRuns.map((run) => run.cpuS)), settings.cases);
  const runPhase = perCase(median(cpuRuns.map((run) => run.runCpuS)), settings.cases);
  const mem = memory[tool];
  const ratio = mem.length > 1 ? mem.at(-1).maxRssKb / mem[0].maxRssKb : Number.NaN;
  say(
    (hasTimed
      ? `- **${tool}**: 1. run phase ${fixed(span)} s = ${fixed(span / ideal)}× ideal: ${verdict(span / ideal <= 1.1)}. ` +
        `2. CPU ${fixed(raw)} ms/case raw (${settings.cases} cases, 0 ms fake; ${fixed(runPhase)} ms/case in the run phase alone): ${verdict(raw <= 1)}. `
      : `- **${tool}**: 1. and 2. not measured (BENCH_RUNS=0). `) +
      (mem.length > 1
        ? `3. max RSS ${fixed(mb(mem.at(-1).maxRssKb), 0)} MB at ${mem.at(-1).cases.toLocaleString('en')} cases vs ${fixed(mb(mem[0].maxRssKb), 0)} MB at ${mem[0].cases.toLocaleString('en')} = ${fixed(ratio)}×: ${verdict(ratio <= 1.5)}.`
        : '3. memory: one size only.'),
  );
}
say('');
const fakeCpu = timed.latency[available[0]]?.map((run) => run.fake.cpu_ms) ?? [];
if (hasTimed)
  say(
    `The fake model's own CPU in the ${settings.cases}-case runs: ${fixed(median(fakeCpu), 0)} ms per run (${fixed(median(fakeCpu) / settings.cases, 3)} ms per call), on the same 2 cores.`,
  );
const everyRun = [
  ...Object.values(timed).flatMap((cells) => Object.values(cells).flat()),
  ...Object.values(memory).flat(),
];
const problems = everyRun.filter((run) => run.problem);
if (problems.length > 0) {
  say('');
  say('Runs that did not pass every case or exited non-zero (their figures are suspect):');
  for (const run of problems) say(`- ${run.tool}, ${run.cases} cases at ${run.latencyMs} ms: ${run.problem}`);
}
const busyRuns = everyRun.filter((run) => run.otherLoad > 0.15);
say('');
say(
  everyRun.length === 0
    ? 'Nothing was measured.'
    : busyRuns.length === 0
      ? `Other programs on the machine used at most ${fixed(Math.max(...everyRun.map((run) => run.otherLoad)))} cores during any measured run.`
      : `Runs during which other programs used more than 0.15 cores (figures suspect): ${busyRuns.map((run) => `${run.tool} ${run.cases}@${run.latencyMs} ms (${fixed(run.otherLoad)})`).join(', ')}.`,
);
const remarks = everyRun.filter((run) => run.remark);
if (remarks.length > 0) {
  say('');
  for (const run of remarks)
    say(`- Note: ${run.tool}, ${run.cases} cases at ${run.latencyMs} ms: ${run.remark}.`);
}
fake.stop();
