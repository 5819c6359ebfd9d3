#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. BENCH_NODE_ARGS="--cpu-prof
// --cpu-prof-dir=/tmp/prof" node bench/eval/run.mjs) the way README.md's analysis uses it:
//
//   CASES=1000 node bench/eval/profile-summary.mjs <file.cpuprofile> [top=25]
//
// (CASES, when given, turns the run phase's busy time into µs per case.)
// It splits the samples into phases — start-up (before the first sample inside the CLI's gateway
// client, i.e. before the first model call), run (up to the last sample inside the eval runner),
// wind-down — and, per phase, charges every busy sample to the innermost Flywheel source file on its
// stack (packages/<pkg>/dist/…), so library and Node time lands on the Flywheel code that asked for
// it. Samples with no Flywheel frame are charged to their leaf's package or Node module. Also prints
// the top functions by self time in the run phase. Each sample counts as the median sampling
// interval; a thread blocked in a native call (e.g. an fsync) still collects samples there.
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node profile-summary.mjs <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const cases = Number(process.env.CASES ?? 0);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const short = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\/.*/, 'npm:$1')
    .replace(/.*\/packages\/([^/]+)\/dist\//, '$1/');
const isFlywheel = (url) => /\/packages\/[^/]+\/dist\//.test(url);
const special = new Set(['(idle)', '(garbage collector)', '(program)', '(root)']);

/** What a sample is charged to, and whether the thread was busy. */
const chargeOf = new Map();
const stackHas = new Map();
function describe(id) {
  let found = chargeOf.get(id);
  if (found) return found;
  const leaf = nodes.get(id);
  const name = leaf.callFrame.functionName;
  let charge;
  const files = [];
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const url = nodes.get(at).callFrame.url;
    if (url) files.push(url);
    if (charge === undefined && isFlywheel(url)) charge = short(url);
  }
  if (special.has(name)) charge = name;
  charge ??= leaf.callFrame.url ? short(leaf.callFrame.url) : `(native) ${name || '(anonymous)'}`;
  found = { charge, busy: name !== '(idle)' };
  chargeOf.set(id, found);
  stackHas.set(id, {
    gatewayClient: files.some((url) => url.endsWith('/cli/dist/eval/gateway-client.js')),
    runner: files.some((url) => url.endsWith('/core/dist/eval/runner/eval-runner.js')),
  });
  return found;
}

// Sample times.
const times = [];
let clock = profile.startTime;
for (let index = 0; index < profile.samples.length; index += 1) {
  clock += profile.timeDeltas[index] ?? 0;
  times.push(clock);
}
// Every sample counts as the profile's median sampling interval: when the machine is busy the
// sampler thread runs late, and charging a gap to the sample before it would inflate whatever was
// on the stack then.
const interval = [...profile.timeDeltas].sort((a, b) => a - b)[Math.floor(profile.timeDeltas.length / 2)];
const durations = times.map(() => interval);
let runStart;
let runEnd;
profile.samples.forEach((id, index) => {
  describe(id);
  const has = stackHas.get(id);
  if (has.gatewayClient && runStart === undefined) runStart = times[index];
  if (has.runner || has.gatewayClient) runEnd = times[index];
});
runStart ??= profile.endTime;
runEnd ??= profile.endTime;

const phases = {
  'start-up': { from: profile.startTime, to: runStart },
  run: { from: runStart, to: runEnd },
  'wind-down': { from: runEnd, to: profile.endTime + 1 },
};
const ms = (us) => (us / 1000).toFixed(0);
process.stdout.write(`${file}\n`);
for (const [phase, { from, to }] of Object.entries(phases)) {
  const charges = new Map();
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    if (times[index] < from || times[index] >= to) return;
    const { charge, busy: isBusy } = describe(id);
    if (!isBusy) {
      idle += durations[index];
      return;
    }
    busy += durations[index];
    charges.set(charge, (charges.get(charge) ?? 0) + durations[index]);
  });
  process.stdout.write(
    `\n## ${phase}: ${ms(to - from)} ms of wall time, sampled busy ${ms(busy)} ms, idle ${ms(idle)} ms${phase === 'run' && cases ? ` (busy ${(busy / cases).toFixed(0)} µs per case over ${cases} cases)` : ''}\n`,
  );
  for (const [charge, time] of [...charges].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${ms(time).padStart(7)} ms ${((100 * time) / Math.max(busy, 1)).toFixed(1).padStart(5)}%  ${charge}\n`,
    );
  }
}

// The run phase by layer: the Flywheel files grouped by what they do for a case.
const layers = [
  ['eval runner and client (CLI, SDK, templates, assertions)', /^(cli\/|sdk\/|core\/eval\/|spec\/prompts\/)/],
  [
    'gateway request (routes, auth, validation, engine, provider client, costs)',
    /^(server\/(gateway|app|secrets)\/|core\/(gateway|costs|tokens|ids|metrics)\/|providers\/|spec\/)/,
  ],
  ['trace hand-off to the writer thread', /^(storage\/trace-writer\/|core\/tracing\/|server\/tracing\/)/],
  ['experiment storage (results route, store, SQLite)', /^(server\/experiments\/|storage\/)/],
  ['garbage collector', /^\(garbage collector\)$/],
  ['HTTP, streams, timers and other Node / library code with no Flywheel frame on the stack', /./],
];
const byLayer = new Map(layers.map(([name]) => [name, 0]));
let runBusy = 0;
profile.samples.forEach((id, index) => {
  if (times[index] < runStart || times[index] >= runEnd) return;
  const { charge, busy } = describe(id);
  if (!busy) return;
  runBusy += durations[index];
  const [name] = layers.find(([, test]) => test.test(charge));
  byLayer.set(name, byLayer.get(name) + durations[index]);
});
process.stdout.write('\n## run phase by layer\n');
for (const [name, time] of byLayer) {
  process.stdout.write(
    `${ms(time).padStart(7)} ms ${((100 * time) / Math.max(runBusy, 1)).toFixed(1).padStart(5)}%${cases ? ` ${(time / cases).toFixed(0).padStart(5)} µs/case` : ''}  ${name}\n`,
  );
}

// Top functions by self time in the run phase.
const self = new Map();
profile.samples.forEach((id, index) => {
  if (times[index] < runStart || times[index] >= runEnd) return;
  const node = nodes.get(id);
  if (node.callFrame.functionName === '(idle)') return;
  const key = `${node.callFrame.functionName || '(anonymous)'}  ${short(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + durations[index]);
});
process.stdout.write('\n## run phase, self time by function\n');
for (const [key, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${ms(time).padStart(7)} ms  ${key}\n`);
}
