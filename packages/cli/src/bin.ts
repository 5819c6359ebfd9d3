#!/usr/bin/env node
import { runCli } from './cli.js';
import { nodeIo } from './node-io.js';

// No top-level await: the bundle of this file is a CommonJS script (decision 0017).
void runCli(process.argv.slice(2), nodeIo()).then((code) => {
  process.exitCode = code;
});
