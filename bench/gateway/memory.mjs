#!/usr/bin/env node
// Is memory flat? Drives many requests (half streamed, by default) through one target and samples its
// resident set size every N requests, then compares the first and last quarter of the samples.
// Prints numbers; asserts nothing. See README.md for the knobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { excerpt, installCleanup, pinSelf, rssMiB } from './lib/processes.mjs';
import { fixed, markdownTable, mean } from './lib/report.mjs';
import { booleanSetting, integerSetting, listSetting } from './lib/settings.mjs';
import { chatBody, chatPath, probe, startTarget, startUpstream, targetNames } from './lib/targets.mjs';

const say = (line) => process.stdout.write(`${line}\n`);

function readSettings(env, argv) {
  const quick = booleanSetting(env, argv, 'BENCH_QUICK', 'quick');
  const requests = integerSetting(env, 'MEMORY_REQUESTS', quick ? 5_000 : 100_000, 1);
  return {
    target: listSetting(env, 'TARGET', ['flywheel'], targetNames.slice(1))[0],
    requests,
    connections: integerSetting(env, 'MEMORY_CONNECTIONS', 50, 1),
    warmupRequests: integerSetting(env, 'MEMORY_WARMUP_REQUESTS', Math.round(requests / 10)),
    sampleEvery: integerSetting(env, 'MEMORY_SAMPLE_EVERY', Math.max(1, Math.round(requests / 40)), 1),
    streamingPercent: integerSetting(env, 'MEMORY_STREAMING_PERCENT', 50),
    serverCore: integerSetting(env, 'BENCH_SERVER_CORE', 0),
    loadCore: integerSetting(env, 'BENCH_LOAD_CORE', 1),
    forceBuild: booleanSetting(env, argv, 'BENCH_BUILD', 'build'),
  };
}

/** Sends `count` requests over the pool, calling `onCompleted(completedSoFar)` after each. */
async function drive({ pool, settings, target, count, onCompleted = () => {} }) {
  const bodies = [chatBody(target.model, false), chatBody(target.model, true)];
  let issued = 0;
  let completed = 0;
  let errors = 0;
  const worker = async () => {
    while (issued < count) {
      const index = issued;
      issued += 1;
      const stream = index % 100 < settings.streamingPercent;
      try {
        const response = await pool.request({
          method: 'POST',
          path: chatPath,
          headers: target.headers,
          body: bodies[stream ? 1 : 0],
        });
        await response.body.text();
        if (response.statusCode < 200 || response.statusCode > 299) errors += 1;
      } catch {
        errors += 1;
      }
      completed += 1;
      onCompleted(completed);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: settings.connections }, worker));
  return { completed, errors, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function measure(settings, target) {
  const pool = new Pool(target.origin, { connections: settings.connections, pipelining: 1 });
  try {
    const idleMiB = rssMiB(target.pid);
    await drive({ pool, settings, target, count: settings.warmupRequests });
    const samples = [{ requests: 0, rssMiB: rssMiB(target.pid) }];
    const run = await drive({
      pool,
      settings,
      target,
      count: settings.requests,
      onCompleted: (completed) => {
        if (completed % settings.sampleEvery === 0)
          samples.push({ requests: completed, rssMiB: rssMiB(target.pid) });
      },
    });
    return { ...run, idleMiB, samples };
  } finally {
    await pool.close();
  }
}

async function main() {
  const settings = readSettings(process.env, process.argv.slice(2));
  installCleanup();
  pinSelf(settings.loadCore);
  say(`# Memory under sustained load: ${settings.target}`);
  say('');
  say(
    `- ${settings.requests} requests (${settings.streamingPercent} % streamed) over ${settings.connections} connections; ` +
      `RSS sampled every ${settings.sampleEvery} requests after ${settings.warmupRequests} warm-up requests`,
  );
  say(`- servers on core ${settings.serverCore}, this load generator on core ${settings.loadCore}`);
  say('');
  const tempDir = mkdtempSync(join(tmpdir(), 'flywheel-bench-memory-'));
  let upstream;
  let target;
  try {
    upstream = await startUpstream({ core: settings.serverCore });
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
    for (const stream of [false, true]) {
      const problem = await probe(target, stream);
      if (problem) {
        say(`${settings.target}: unavailable (${problem})`);
        return;
      }
    }
    const run = await measure(settings, target);
    say(`RSS ${fixed(run.idleMiB, 1)} MiB idle, ${fixed(run.samples[0].rssMiB, 1)} MiB after the warm-up`);
    say(
      `${run.completed} requests in ${fixed(run.seconds, 1)} s (${fixed(run.completed / run.seconds, 0)} req/s), ` +
        `${run.errors} errors`,
    );
    say('');
    say(
      markdownTable(
        ['requests', 'RSS MiB'],
        run.samples.map((sample) => [String(sample.requests), fixed(sample.rssMiB, 1)]),
      ),
    );
    say('');
    // The sample taken right after the warm-up is left out; the quartiles compare loaded states.
    const loaded = run.samples.slice(1).map((sample) => sample.rssMiB);
    const quarter = Math.max(1, Math.floor(loaded.length / 4));
    const first = mean(loaded.slice(0, quarter));
    const last = mean(loaded.slice(-quarter));
    const growth = ((last - first) / first) * 100;
    say(
      `first quartile mean RSS ${fixed(first, 1)} MiB, last quartile mean RSS ${fixed(last, 1)} MiB ` +
        `(${last >= first ? '+' : ''}${fixed(last - first, 1)} MiB, ${fixed(growth, 1)} %)`,
    );
    // Garbage collection makes RSS a saw-tooth of roughly ±10 %; a leak shows as steady growth past it.
    say(
      Math.abs(growth) <= 10
        ? 'memory flat: the last quartile is within 10 % of the first'
        : `memory NOT flat: the last quartile is ${fixed(growth, 1)} % off the first`,
    );
  } finally {
    await target?.stop();
    await upstream?.stop();
    rmSync(tempDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`memory benchmark failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
