#!/usr/bin/env node
// Many slow streams at once: does the gateway stay responsive? Opens SLOW_STREAMS concurrent streaming
// requests through the target to a fake upstream that sends one chunk per SLOW_DELAY_MS, while a separate
// process polls GET /health every 20 ms. Prints /health latency before and during the load, the
// streams' outcome and the target's RSS. Asserts nothing. See README.md for the knobs.
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import {
  excerpt,
  installCleanup,
  openFileLimit,
  pinSelf,
  rssMiB,
  runPinnedScript,
} from './lib/processes.mjs';
import { fixed, markdownTable, ms, percentile } from './lib/report.mjs';
import { booleanSetting, integerSetting, listSetting } from './lib/settings.mjs';
import { chatBody, chatPath, probe, startTarget, startUpstream, targetNames } from './lib/targets.mjs';

const say = (line) => process.stdout.write(`${line}\n`);
const here = dirname(fileURLToPath(import.meta.url));

function readSettings(env, argv) {
  const quick = booleanSetting(env, argv, 'BENCH_QUICK', 'quick');
  return {
    target: listSetting(env, 'TARGET', ['flywheel'], targetNames.slice(1))[0],
    streams: integerSetting(env, 'SLOW_STREAMS', quick ? 200 : 2_000, 1),
    delayMs: integerSetting(env, 'SLOW_DELAY_MS', quick ? 100 : 1_000, 1),
    chunks: integerSetting(env, 'SLOW_CHUNKS', 20, 1),
    healthIntervalMs: integerSetting(env, 'SLOW_HEALTH_INTERVAL_MS', 20, 1),
    baselineMs: integerSetting(env, 'SLOW_BASELINE_MS', quick ? 500 : 2_000, 0),
    serverCore: integerSetting(env, 'BENCH_SERVER_CORE', 0),
    loadCore: integerSetting(env, 'BENCH_LOAD_CORE', 1),
    forceBuild: booleanSetting(env, argv, 'BENCH_BUILD', 'build'),
  };
}

/**
 * Every stream is a socket here and two in the target. Node raises its soft open-file limit to the hard
 * one at start-up (so do the servers, all Node), so the hard limit is the one that matters.
 */
function checkOpenFiles(needed) {
  const limit = openFileLimit();
  if (limit.soft >= needed) return true;
  say(
    `the open-file limit is ${limit.soft} (hard ${limit.hard}) but ${needed} are needed: ` +
      `raise it (as root: ulimit -Hn ${needed}) or lower SLOW_STREAMS`,
  );
  return false;
}

async function openStreams(settings, target) {
  const pool = new Pool(target.origin, { connections: settings.streams, pipelining: 1 });
  const body = chatBody(target.model, true);
  const deadlineMs = settings.chunks * settings.delayMs * 3 + 30_000;
  const signal = AbortSignal.timeout(deadlineMs);
  setMaxListeners(0, signal);
  const once = async () => {
    const start = process.hrtime.bigint();
    try {
      const response = await pool.request({
        method: 'POST',
        path: chatPath,
        headers: target.headers,
        body,
        signal,
        headersTimeout: deadlineMs,
        bodyTimeout: deadlineMs,
      });
      let firstChunkMs;
      let tail = '';
      for await (const chunk of response.body) {
        firstChunkMs ??= Number(process.hrtime.bigint() - start) / 1e6;
        tail = (tail + chunk.toString()).slice(-64);
      }
      const ok = response.statusCode === 200 && tail.includes('[DONE]');
      return { ok, firstChunkMs, endMs: Number(process.hrtime.bigint() - start) / 1e6 };
    } catch (error) {
      return { ok: false, error: error.code ?? error.name ?? String(error) };
    }
  };
  const results = await Promise.all(Array.from({ length: settings.streams }, once));
  await pool.destroy();
  return results;
}

async function main() {
  const settings = readSettings(process.env, process.argv.slice(2));
  if (!checkOpenFiles(settings.streams * 2 + 1_024)) {
    process.exitCode = 1;
    return;
  }
  installCleanup();
  pinSelf(settings.loadCore);
  say(`# Slow streams: ${settings.target}`);
  say('');
  say(
    `- ${settings.streams} concurrent streams, ${settings.chunks} chunks each, one every ${settings.delayMs} ms; ` +
      `GET /health every ${settings.healthIntervalMs} ms from a separate process`,
  );
  say(`- servers on core ${settings.serverCore}, clients on core ${settings.loadCore}`);
  say('');
  const tempDir = mkdtempSync(join(tmpdir(), 'flywheel-bench-slow-'));
  let upstream;
  let target;
  try {
    upstream = await startUpstream({
      core: settings.serverCore,
      env: { FAKE_DELAY_MS: String(settings.delayMs), FAKE_CHUNKS: String(settings.chunks) },
    });
    try {
      target = await startTarget(settings.target, {
        upstream,
        core: settings.serverCore,
        tempDir,
        forceBuild: settings.forceBuild,
      });
    } catch (error) {
      say(`${settings.target}: unavailable (${excerpt(error.message, 400)})`);
      return;
    }
    // Not streamed: with the slow upstream a streamed probe would take the whole stream's time.
    const problem = await probe(target, false);
    if (problem) {
      say(`${settings.target}: unavailable (${problem})`);
      return;
    }

    const poller = runPinnedScript({
      core: settings.loadCore,
      script: join(here, 'lib', 'health-poller.mjs'),
      options: { url: `${target.origin}${target.healthPath}`, intervalMs: settings.healthIntervalMs },
    });
    const rssSamples = [];
    const sampleRss = () => rssSamples.push(rssMiB(target.pid));
    sampleRss();
    // The poller's first requests pay for its start-up and a new connection; let them pass.
    await sleep(500 + settings.baselineMs);
    const rssBefore = rssMiB(target.pid);
    const loadStartedAt = Date.now();
    const sampler = setInterval(sampleRss, 250);
    const streams = await openStreams(settings, target);
    const loadEndedAt = Date.now();
    clearInterval(sampler);
    const rssAfter = rssMiB(target.pid);
    poller.finish();
    const { samples } = await poller.result;

    const phase = (from, to) => samples.filter(([at]) => at >= from && at < to);
    const healthRow = (label, rows) => {
      const latencies = rows.map(([, latency]) => latency);
      return [
        label,
        String(rows.length),
        String(rows.filter(([, , ok]) => !ok).length),
        ms(percentile(latencies, 50)),
        ms(percentile(latencies, 99)),
        ms(Math.max(...latencies)),
      ];
    };
    say(
      markdownTable(
        ['GET /health', 'polls', 'failed', 'p50 ms', 'p99 ms', 'max ms'],
        [
          healthRow('before the streams', phase(loadStartedAt - settings.baselineMs, loadStartedAt)),
          healthRow('while streaming', phase(loadStartedAt, loadEndedAt)),
        ],
      ),
    );
    say('');
    const finished = streams.filter((stream) => stream.ok);
    const failures = new Map();
    for (const stream of streams.filter((candidate) => !candidate.ok)) {
      const reason = stream.error ?? 'bad status or no [DONE]';
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
    }
    const firstChunks = finished.map((stream) => stream.firstChunkMs);
    const ends = finished.map((stream) => stream.endMs);
    say(
      `streams: ${finished.length} of ${streams.length} completed` +
        `${failures.size > 0 ? `; failed: ${[...failures].map(([reason, count]) => `${count} × ${reason}`).join(', ')}` : ''}`,
    );
    say(
      `stream first chunk p50 ${ms(percentile(firstChunks, 50))} ms, p99 ${ms(percentile(firstChunks, 99))} ms; ` +
        `stream duration p50 ${fixed(percentile(ends, 50) / 1000, 2)} s, max ${fixed(Math.max(...ends) / 1000, 2)} s ` +
        `(upstream alone: ${fixed(((settings.chunks - 1) * settings.delayMs) / 1000, 2)} s)`,
    );
    say(
      `${settings.target} RSS: ${fixed(rssBefore, 1)} MiB before, peak ${fixed(Math.max(...rssSamples), 1)} MiB, ` +
        `${fixed(rssAfter, 1)} MiB after`,
    );
  } finally {
    await target?.stop();
    await upstream?.stop();
    rmSync(tempDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`slow-streams benchmark failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
