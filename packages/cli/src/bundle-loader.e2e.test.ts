import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bin } from './testing-internal/server-process.js';

// bundle/flywheel.js runs bundle/flywheel.cjs from the V8 code cache the build made
// (flywheel.cjs.cache, decision 0017). The cache only saves time: without one, or with one V8
// refuses, the command must work the same.

const bundleDir = dirname(bin);
const nodeModules = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'node_modules');
let copy: string | undefined;

afterEach(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  copy = undefined;
});

/** The loader and the script in a folder of their own, with `cache` as the code cache. */
function bundleCopy(cache: 'built' | 'none' | 'garbage'): string {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'npm run build' first (npm test does).`);
  copy = mkdtempSync(join(tmpdir(), 'flywheel-loader-'));
  copyFileSync(bin, join(copy, 'flywheel.js'));
  copyFileSync(join(bundleDir, 'flywheel.cjs'), join(copy, 'flywheel.cjs'));
  if (cache === 'built')
    copyFileSync(join(bundleDir, 'flywheel.cjs.cache'), join(copy, 'flywheel.cjs.cache'));
  if (cache === 'garbage') writeFileSync(join(copy, 'flywheel.cjs.cache'), 'not a code cache');
  return copy;
}

function version(folder: string) {
  const run = spawnSync(process.execPath, [join(folder, 'flywheel.js'), '--version'], {
    encoding: 'utf8',
    // The copy is outside the repository: its external packages resolve from the repository's.
    env: { ...process.env, NODE_PATH: nodeModules, FLYWHEEL_CODE_CACHE_REPORT: '1' },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the bundled command’s loader', () => {
  it('runs from the code cache the build made, which this Node accepts', () => {
    const run = version(bundleCopy('built'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(run.stderr).toContain('code cache used');
  });

  it('reads a script that is all ASCII (the build escapes the rest), so Latin-1 reads it right', () => {
    const bytes = readFileSync(join(bundleDir, 'flywheel.cjs'));
    const outside = bytes.findIndex((byte) => byte > 0x7f);
    expect(outside, `a non-ASCII byte at offset ${outside}`).toBe(-1);
    // Wrapped by the build, as Node wraps a CommonJS file: the loader compiles the text as it is.
    expect(bytes.subarray(0, 40).toString('latin1')).toMatch(/^\(function \(exports, require, module,/);
  });

  it('works without a cache', () => {
    const run = version(bundleCopy('none'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(run.stderr).toContain('code cache none');
  });

  it('works when V8 refuses the cache', () => {
    const run = version(bundleCopy('garbage'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(run.stderr).toContain('code cache rejected');
  });
});
