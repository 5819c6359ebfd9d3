#!/usr/bin/env node
// The `flywheel` command (bundle/flywheel.js, copied here by tools/build/bundle-cli.mjs). It runs
// bundle/flywheel.cjs — the whole command in one CommonJS script — from V8's code cache
// (bundle/flywheel.cjs.cache, made by the build) when there is one this Node accepts, so a start
// skips compiling ~5 MB of JavaScript: ~0.1 s of CPU of every command (decision 0017). A cache
// made by another Node or for changed code is refused by V8 and the script is compiled as usual.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));
const file = join(here, 'flywheel.cjs');
const cacheFile = join(here, 'flywheel.cjs.cache');
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
// The build wrapped the script in a function, as Node wraps a CommonJS file, with two more
// parameters: what it put in place of `import.meta.url` and of `import()` (which a script run
// from a code cache cannot call on Node 20). It is ASCII (the build escapes the rest), so it is
// read as Latin-1: one copy into a one-byte string, no UTF-8 decoding.
const script = new Script(readFileSync(file).toString('latin1'), {
  filename: file,
  ...(cachedData ? { cachedData } : {}),
});
// FLYWHEEL_CODE_CACHE_REPORT=1 says on standard error whether the cache was used.
if (process.env.FLYWHEEL_CODE_CACHE_REPORT === '1') {
  const state = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  process.stderr.write(`flywheel: code cache ${state} (${cacheFile})\n`);
}
// The build runs `flywheel --version` once with this set, and keeps what V8 compiled by then.
const cacheOut = process.env.FLYWHEEL_BUILD_CODE_CACHE;
if (cacheOut) {
  delete process.env.FLYWHEEL_BUILD_CODE_CACHE;
  process.once('exit', () => {
    // V8 stamps a cache with the flags in effect and refuses it under others. An eval run raises
    // two (packages/cli/src/node-io.ts); they go back to Node 20's defaults first. The build
    // checks that the cache is accepted and falls back to a `--version` cache if not.
    setFlagsFromString('--interrupt-budget=67584');
    setFlagsFromString('--heap-growing-percent=0');
    writeFileSync(cacheOut, script.createCachedData());
  });
}
const module = { exports: {} };
const importFromHere = (specifier) => import(specifier);
script.runInThisContext()(
  module.exports,
  createRequire(file),
  module,
  file,
  here,
  pathToFileURL(file).href,
  importFromHere,
);
