#!/usr/bin/env node
// One command, side by side: the fake upstream alone (direct), through Flywheel, through a bare undici
// proxy and through Portkey's gateway. Prints numbers; asserts nothing (STYLE rule 21).
// See README.md for the knobs and how to read the tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { cpuTimeMs, excerpt, installCleanup, pinSelf, runPinnedScript } from './lib/processes.mjs';
import { fixed, machineFacts, markdownTable, ms, ratio, signedMs } from './lib/report.mjs';
import { booleanSetting, integerSetting, listSetting } from './lib/settings.mjs';
import { chatBody, chatPath, probe, startTarget, startUpstream, targetNames } from './lib/targets.mjs';
import { ensureWrk, runWrk, writeWrkScript } from './lib/wrk.mjs';

const modeNames = ['non-streaming', 'streaming'];

function readSettings(env, argv) {
  const quick = booleanSetting(env, argv, 'BENCH_QUICK', 'quick');
  return {
    quick,
    forceBuild: booleanSetting(env, argv, 'BENCH_BUILD', 'build'),
    seconds: integerSetting(env, 'BENCH_DURATION', quick ? 2 : 10, 1),
    warmupSeconds: integerSetting(env, 'BENCH_WARMUP', quick ? 1 : 3, 0),
    connections: listSetting(env, 'BENCH_CONNECTIONS', ['10', '50']).map(Number),
    targets: listSetting(env, 'BENCH_TARGETS', targetNames, targetNames),
    modes: listSetting(env, 'BENCH_MODES', modeNames, modeNames),
    oneConnectionRequests: integerSetting(env, 'BENCH_ONE_CONNECTION_REQUESTS', quick ? 300 : 3000, 1),
    serverCore: integerSetting(env, 'BENCH_SERVER_CORE', 0),
    loadCore: integerSetting(env, 'BENCH_LOAD_CORE', 1),
    wrkThreads: integerSetting(env, 'BENCH_WRK_THREADS', 1, 1),
    slices: integerSetting(env, 'BENCH_SLICES', quick ? 1 : 5, 1),
  };
}

const say = (line) => process.stdout.write(`${line}\n`);

function runOneConnection({ core, targets, requests }) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'one-connection.mjs');
  const options = {
    targets,
    requests,
    warmup: Math.max(20, Math.round(requests / 10)),
    block: Math.max(1, Math.round(requests / 12)),
  };
  return runPinnedScript({ core, script, options }).result;
}

/** One wrk run of `seconds` against a target: its report, and the CPU the proxy and the upstream used. */
async function measureSlice({ settings, target, upstream, script, connections, seconds }) {
  const url = `${target.origin}${chatPath}`;
  const load = { url, script, connections, threads: settings.wrkThreads, core: settings.loadCore };
  const proxyBefore = target.pid ? cpuTimeMs(target.pid) : Number.NaN;
  const upstreamBefore = cpuTimeMs(upstream.pid);
  const report = await runWrk({ ...load, seconds });
  return {
    report,
    proxyCpuMs: target.pid ? cpuTimeMs(target.pid) - proxyBefore : Number.NaN,
    upstreamCpuMs: cpuTimeMs(upstream.pid) - upstreamBefore,
  };
}

/**
 * A cell from its slices: requests/s over the slices' summed time, CPU per request over their
 * summed requests, p50 the median of the slices' p50s and p99 the highest of their p99s (wrk
 * reports percentiles, not the latencies they come from).
 */
function cellOfSlices(slices) {
  let requests = 0;
  let seconds = 0;
  let errors = 0;
  let proxyCpuMs = 0;
  let upstreamCpuMs = 0;
  for (const { report, ...cpu } of slices) {
    requests += report.requests;
    seconds += report.requests / report.requestsPerSecond;
    errors += report.non2xx + report.socketErrors;
    proxyCpuMs += cpu.proxyCpuMs;
    upstreamCpuMs += cpu.upstreamCpuMs;
  }
  const p50s = slices.map(({ report }) => report.p50Ms).sort((a, b) => a - b);
  return {
    requestsPerSecond: requests / seconds,
    p50Ms: p50s[Math.floor((p50s.length - 1) / 2)],
    p99Ms: Math.max(...slices.map(({ report }) => report.p99Ms)),
    requests,
    errors,
    proxyCpuMsPerRequest: proxyCpuMs / requests,
    upstreamCpuMsPerRequest: upstreamCpuMs / requests,
  };
}

/** Starts a target and probes it in each mode; `result.modes[mode].script` is its wrk script. */
async function startMeasured({ settings, name, upstream, tempDir, running }) {
  const result = { modes: {} };
  let target;
  try {
    target = await startTarget(name, {
      upstream,
      core: settings.serverCore,
      tempDir,
      forceBuild: settings.forceBuild,
    });
  } catch (error) {
    result.unavailable = excerpt(error.message, 300);
    say(`${name}: unavailable (${result.unavailable})`);
    return result;
  }
  running.push({ name, target });
  for (const mode of settings.modes) {
    const stream = mode === 'streaming';
    const modeResult = { cells: {} };
    result.modes[mode] = modeResult;
    const problem = await probe(target, stream);
    if (problem) {
      modeResult.unavailable = problem;
      say(`${name}: unavailable (${problem}) — skipping its ${mode} cells`);
      continue;
    }
    const body = chatBody(target.model, stream);
    modeResult.script = writeWrkScript(tempDir, `${name}-${mode}`, { body, headers: target.headers });
  }
  return result;
}

/**
 * The throughput cells. The targets take turns within each cell: after a warm-up of each, the
 * cell's seconds are cut into `settings.slices` slices per target, and every round goes through
 * all targets, its order rotating. Measured one target after another, a drift of the machine's
 * speed between their cells (the fake upstream's own CPU per call moved by a third within
 * minutes) read as a difference between the proxies; in turns, every target sees the same
 * machine. After each Flywheel slice the runner waits until its trace indexer has caught up, so
 * that the indexing does not run during another target's slice.
 */
async function measureThroughput({ settings, results, running, upstream, flywheelIndexing }) {
  const sliceSeconds = Math.max(1, Math.round(settings.seconds / settings.slices));
  for (const mode of settings.modes) {
    for (const connections of settings.connections) {
      const taking = running.filter(({ name }) => results[name].modes[mode]?.script);
      const slices = new Map(taking.map(({ name }) => [name, []]));
      const failed = new Map();
      const run = async ({ name, target }, seconds, keep) => {
        if (failed.has(name)) return;
        try {
          const script = results[name].modes[mode].script;
          const slice = await measureSlice({ settings, target, upstream, script, connections, seconds });
          if (keep) slices.get(name).push(slice);
          if (name === 'flywheel') await flywheelIndexing(target);
        } catch (error) {
          failed.set(name, excerpt(error.message, 200));
          say(`${name} ${mode} c=${connections}: failed (${error.message})`);
        }
      };
      if (settings.warmupSeconds > 0)
        for (const entry of taking) await run(entry, settings.warmupSeconds, false);
      for (let round = 0; round < settings.slices; round++) {
        for (let index = 0; index < taking.length; index++)
          await run(taking[(index + round) % taking.length], sliceSeconds, true);
      }
      for (const { name } of taking) {
        const modeResult = results[name].modes[mode];
        if (failed.has(name)) {
          modeResult.cells[connections] = { unavailable: failed.get(name) };
          continue;
        }
        const cell = cellOfSlices(slices.get(name));
        modeResult.cells[connections] = cell;
        say(
          `${name} ${mode} c=${connections}: ${fixed(cell.requestsPerSecond, 0)} req/s, ` +
            `p50 ${ms(cell.p50Ms)} ms, p99 ${ms(cell.p99Ms)} ms, ` +
            `proxy CPU ${fixed(cell.proxyCpuMsPerRequest, 3)} ms/req, errors ${cell.errors}`,
        );
      }
    }
  }
}

/**
 * Flywheel answers first and makes traces later (decision 0013): its calls go to a durable log
 * that a low-priority thread indexes when there is CPU to spare, and under load that is mostly
 * after it. This waits until the traces stop growing (the backlog is indexed), after each of
 * Flywheel's throughput slices, and answers how long that took: another target's slice, and the
 * one-connection cells, measure a machine that is not catching up on Flywheel's backlog.
 */
async function waitForIndexing(target, since) {
  const began = performance.now();
  const count = async () => {
    const query = new URLSearchParams({
      from: since.toISOString(),
      to: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const response = await request(`${target.origin}/api/metrics?${query}`, { headers: target.headers });
    const body = await response.body.json();
    if (response.statusCode !== 200) throw new Error(`GET /api/metrics answered ${response.statusCode}`);
    return body.total.requests;
  };
  try {
    let last = await count();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = await count();
      if (now === last) break;
      last = now;
    }
    return { traces: last, catchUpSeconds: (performance.now() - began) / 1000 - 1 };
  } catch (error) {
    say(`flywheel: could not follow the trace indexer (${error.message})`);
    return { unavailable: error.message };
  }
}

/**
 * The one-connection cells, after every throughput cell, on the targets as their throughput cells
 * left them (warmed up): all of them stay up (idle while it is not their turn), and one client
 * takes them in turns, block by block.
 */
async function measureOneConnection({ settings, results, running }) {
  for (const mode of settings.modes) {
    const stream = mode === 'streaming';
    const taking = running.filter(({ name }) => {
      const modeResult = results[name].modes[mode];
      return modeResult && !modeResult.unavailable;
    });
    if (taking.length === 0) continue;
    try {
      const measured = await runOneConnection({
        core: settings.loadCore,
        requests: settings.oneConnectionRequests,
        targets: taking.map(({ name, target }) => ({
          name,
          url: `${target.origin}${chatPath}`,
          headers: target.headers,
          body: chatBody(target.model, stream),
        })),
      });
      for (const { name } of taking) {
        const one = measured[name];
        results[name].modes[mode].oneConnection = one;
        say(
          `${name} ${mode} one connection: p50 end ${ms(one.endMs.p50)} ms, ` +
            `first chunk ${ms(one.firstChunkMs.p50)} ms, errors ${one.errors}`,
        );
      }
    } catch (error) {
      for (const { name } of taking) {
        results[name].modes[mode].oneConnection = { unavailable: excerpt(error.message, 200) };
      }
      say(`${mode} one connection: failed (${error.message})`);
    }
  }
}

function throughputTable(settings, results) {
  const rows = [];
  for (const mode of settings.modes) {
    for (const connections of settings.connections) {
      const cellOf = (name) => {
        const result = results[name];
        if (!result) return undefined;
        if (result.unavailable) return { unavailable: result.unavailable };
        const modeResult = result.modes[mode];
        if (modeResult?.unavailable) return { unavailable: modeResult.unavailable };
        return modeResult?.cells[connections];
      };
      for (const name of settings.targets) {
        const cell = cellOf(name);
        if (!cell) continue;
        if (cell.unavailable) {
          const text = `unavailable: ${excerpt(cell.unavailable, 60)}`;
          rows.push([mode, connections, name, text, ...Array(7).fill('')]);
          continue;
        }
        const isFlywheel = name === 'flywheel';
        rows.push([
          mode,
          connections,
          name,
          fixed(cell.requestsPerSecond, 0),
          ms(cell.p50Ms),
          ms(cell.p99Ms),
          fixed(cell.proxyCpuMsPerRequest, 3),
          fixed(cell.upstreamCpuMsPerRequest, 3),
          String(cell.errors),
          isFlywheel ? ratio(cell.requestsPerSecond, cellOf('bare')?.requestsPerSecond) : '',
          isFlywheel ? ratio(cell.requestsPerSecond, cellOf('portkey')?.requestsPerSecond) : '',
        ]);
      }
    }
  }
  return markdownTable(
    [
      'mode',
      'conns',
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'proxy CPU ms/req',
      'upstream CPU ms/req',
      'errors',
      'flywheel ÷ bare (req/s)',
      'flywheel ÷ portkey (req/s)',
    ],
    rows,
  );
}

function oneConnectionTable(settings, results) {
  const one = (name, mode) => {
    const result = results[name];
    if (!result || result.unavailable) return undefined;
    const modeResult = result.modes[mode];
    if (!modeResult || modeResult.unavailable) return undefined;
    return modeResult.oneConnection?.unavailable ? undefined : modeResult.oneConnection;
  };
  const reason = (name) => {
    const result = results[name];
    if (result?.unavailable) return result.unavailable;
    for (const mode of settings.modes) {
      const modeResult = result?.modes[mode];
      if (modeResult?.unavailable) return modeResult.unavailable;
      if (modeResult?.oneConnection?.unavailable) return modeResult.oneConnection.unavailable;
    }
    return 'not measured';
  };
  const plain = (name) => one(name, 'non-streaming');
  const streamed = (name) => one(name, 'streaming');
  const added = (name, value, direct) => (name === 'direct' ? 'baseline' : signedMs(value - direct));
  const rows = [];
  for (const name of settings.targets) {
    if (!plain(name) && !streamed(name)) {
      rows.push([name, `unavailable: ${excerpt(reason(name), 60)}`, '', '', '', '', '']);
      continue;
    }
    rows.push([
      name,
      ms(plain(name)?.endMs.p50),
      added(name, plain(name)?.endMs.p50, plain('direct')?.endMs.p50),
      ms(streamed(name)?.firstChunkMs.p50),
      added(name, streamed(name)?.firstChunkMs.p50, streamed('direct')?.firstChunkMs.p50),
      ms(streamed(name)?.endMs.p50),
      added(name, streamed(name)?.endMs.p50, streamed('direct')?.endMs.p50),
    ]);
  }
  return markdownTable(
    [
      'target',
      'non-streaming p50 ms',
      'added over direct ms',
      'streaming first byte p50 ms',
      'first byte added over direct ms',
      'streaming end p50 ms',
      'end added over direct ms',
    ],
    rows,
  );
}

/** Every reason something was not measured, in full (the tables only have room for the start). */
function unavailableNotes(settings, results) {
  const notes = [];
  for (const name of settings.targets) {
    const result = results[name];
    if (!result) continue;
    if (result.unavailable) {
      notes.push(`- ${name}: unavailable (${result.unavailable})`);
      continue;
    }
    for (const mode of settings.modes) {
      const modeResult = result.modes[mode];
      if (modeResult?.unavailable) notes.push(`- ${name} ${mode}: unavailable (${modeResult.unavailable})`);
      for (const [connections, cell] of Object.entries(modeResult?.cells ?? {})) {
        if (cell.unavailable) notes.push(`- ${name} ${mode} c=${connections}: failed (${cell.unavailable})`);
      }
      if (modeResult?.oneConnection?.unavailable) {
        notes.push(`- ${name} ${mode} one connection: failed (${modeResult.oneConnection.unavailable})`);
      }
    }
  }
  return notes;
}

async function main() {
  const settings = readSettings(process.env, process.argv.slice(2));
  installCleanup();
  const facts = machineFacts();
  const pinnedSelf = pinSelf(settings.loadCore);
  const wrk = ensureWrk();
  say('# Flywheel gateway benchmark');
  say('');
  say(`- node ${facts.node}, CPU ${facts.cpuModel}, ${facts.cores} cores, Linux ${facts.kernel}`);
  say(
    `- pinning: fake upstream and the proxy under test on core ${settings.serverCore} (taskset); ` +
      `load generator (${wrk}, one-connection client${pinnedSelf ? ', this runner' : ''}) on core ${settings.loadCore}`,
  );
  say(
    `- wrk: ${settings.wrkThreads} thread(s), ${settings.seconds} s per cell after ${settings.warmupSeconds} s warm-up, ` +
      `in ${settings.slices} slice(s) per target, the targets taking turns` +
      `${settings.quick ? ' (quick mode)' : ''}; one connection: ${settings.oneConnectionRequests} sequential requests per target, the targets taking turns`,
  );
  say('');

  const tempDir = mkdtempSync(join(tmpdir(), 'flywheel-bench-'));
  const results = {};
  const running = [];
  let upstream;
  try {
    upstream = await startUpstream({ core: settings.serverCore });
    const started = new Date();
    for (const name of settings.targets)
      results[name] = await startMeasured({ settings, name, upstream, tempDir, running });
    // Flywheel's trace indexing after each of its slices: how long, and how many calls it traced.
    const indexing = { traces: 0, catchUpSeconds: 0 };
    const flywheelIndexing = async (target) => {
      if (indexing.unavailable) return;
      const waited = await waitForIndexing(target, started);
      if (waited.unavailable) indexing.unavailable = waited.unavailable;
      else {
        indexing.traces = waited.traces;
        indexing.catchUpSeconds += waited.catchUpSeconds;
      }
    };
    await measureThroughput({ settings, results, running, upstream, flywheelIndexing });
    if (results.flywheel && !results.flywheel.unavailable) {
      results.flywheel.indexing = indexing;
      if (!indexing.unavailable)
        say(
          `flywheel: ${indexing.traces} calls traced; the trace indexer caught up in ${indexing.catchUpSeconds.toFixed(1)} s in all`,
        );
    }
    await measureOneConnection({ settings, results, running });
  } finally {
    await Promise.all(running.map(({ target }) => target.stop()));
    await upstream?.stop();
    rmSync(tempDir, { recursive: true, force: true });
  }

  say('');
  say(`## Throughput and latency (wrk, ${settings.seconds} s per cell)`);
  say('');
  say(throughputTable(settings, results));
  say('');
  say(`## One connection, sequential requests (p50 of ${settings.oneConnectionRequests})`);
  say('');
  say(oneConnectionTable(settings, results));
  const indexing = results.flywheel?.indexing;
  if (indexing && !indexing.unavailable) {
    say('');
    say('## Flywheel trace indexing');
    say('');
    say(
      `${indexing.traces} calls traced. Flywheel answers first and indexes traces on a low-priority thread ` +
        `(decision 0013); after each of its throughput slices the runner waited for the indexer to catch up, ` +
        `${indexing.catchUpSeconds.toFixed(1)} s in all, and the one-connection cells ran after that.`,
    );
  }
  const notes = unavailableNotes(settings, results);
  if (notes.length > 0) {
    say('');
    say('## Not measured');
    say('');
    for (const note of notes) say(note);
  }
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
