import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createJavascriptSandbox, type JavascriptSandbox } from './javascript-sandbox.js';

// These tests start real Node processes with the real limits.
let sandbox: JavascriptSandbox;
let directory: string;

beforeAll(() => {
  sandbox = createJavascriptSandbox({ timeoutMs: 3000 });
  directory = mkdtempSync(join(tmpdir(), 'flywheel-sandbox-'));
});

afterAll(async () => {
  await sandbox.close();
  rmSync(directory, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const run = (code: string, output = 'Paris', vars: Record<string, unknown> = { city: 'Paris' }) =>
  sandbox.run({ code, output, vars });

describe('createJavascriptSandbox', () => {
  it('evaluates an expression over output and context.vars', async () => {
    expect(await run('output === context.vars.city')).toEqual({
      status: 'scored',
      pass: true,
      score: 1,
      reason: 'javascript returned true',
    });
    expect(await run('output.length > 10')).toEqual({
      status: 'scored',
      pass: false,
      score: 0,
      reason: 'javascript returned false',
    });
  });

  it('runs a function body with return, statements before a final expression, and await', async () => {
    const body = 'const words = output.split(" ");\nif (words.length > 3) return false;\nreturn true;';
    expect(await run(body)).toMatchObject({ pass: true, score: 1 });
    expect(await run('const n = output.length; const s = "a;b"; n === 5 && s.length === 3')).toMatchObject({
      pass: true,
    });
    expect(
      await run('await new Promise((resolve) => setTimeout(resolve, 5)); output.startsWith("P")'),
    ).toMatchObject({
      pass: true,
    });
  });

  it('uses an object result as given, defaulting its score', async () => {
    expect(await run('({ pass: false, score: 0.3, reason: "too vague" })')).toEqual({
      status: 'scored',
      pass: false,
      score: 0.3,
      reason: 'too vague',
    });
    expect(await run('return { pass: true }')).toEqual({
      status: 'scored',
      pass: true,
      score: 1,
      reason: 'javascript returned pass: true',
    });
  });

  it('uses a number as the score, passing above 0', async () => {
    expect(await run('output.length / 10')).toEqual({
      status: 'scored',
      pass: true,
      score: 0.5,
      reason: 'javascript returned the score 0.5',
    });
    expect(await run('0')).toMatchObject({ pass: false, score: 0 });
    expect(await run('output.length')).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_result_invalid', message: expect.stringContaining('returned the number 5') },
    });
  });

  it('errors on a result that is not a verdict, hinting at a missing return', async () => {
    expect(await run('if (output.length > 1) {\n  const long = true;\n}')).toMatchObject({
      status: 'errored',
      error: {
        code: 'assertion_result_invalid',
        message: expect.stringContaining('a function body needs a return'),
      },
    });
    expect(await run('"yes"')).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_result_invalid' },
    });
  });

  it('errors with the message of an error the code throws', async () => {
    expect(await run('throw new TypeError("no city")')).toEqual({
      status: 'errored',
      error: { code: 'assertion_javascript_threw', message: 'javascript threw: TypeError: no city' },
    });
  });

  it('errors on code that is not valid JavaScript', async () => {
    expect(await run('output.length <')).toMatchObject({
      status: 'errored',
      error: {
        code: 'assertion_value_invalid',
        message: expect.stringMatching(/^value is not valid JavaScript: SyntaxError/),
      },
    });
  });

  it('keeps console output of the code out of the answer', async () => {
    expect(await run('console.log("debugging", output); console.info("{}"); return true')).toMatchObject({
      status: 'scored',
      pass: true,
    });
  });

  it('kills an infinite loop at the timeout', async () => {
    const quick = createJavascriptSandbox({ timeoutMs: 500 });
    try {
      expect(await quick.run({ code: 'while (true) {}', output: '', vars: {} })).toEqual({
        status: 'errored',
        error: {
          code: 'assertion_timeout',
          message: 'javascript did not finish within 500 ms and was stopped',
        },
      });
    } finally {
      await quick.close();
    }
  });

  it('kills a memory bomb at the heap limit', async () => {
    const small = createJavascriptSandbox({ maxMemoryMb: 32, timeoutMs: 10_000 });
    try {
      const code = 'const hoard = []; while (true) hoard.push(new Array(100_000).fill(1.5));';
      expect(await small.run({ code, output: '', vars: {} })).toEqual({
        status: 'errored',
        error: {
          code: 'assertion_javascript_failed',
          message: expect.stringMatching(
            /^javascript ran out of memory \(limit 32 MB\): FATAL ERROR: .*heap/,
          ),
        },
      });
    } finally {
      await small.close();
    }
  });

  it('cannot write a file, by import or by require', async () => {
    const target = join(directory, 'written.txt');
    for (const code of [
      `(await import('node:fs')).writeFileSync(${JSON.stringify(target)}, 'x'); return true`,
      `require('fs').writeFileSync(${JSON.stringify(target)}, 'x'); return true`,
    ]) {
      expect(await run(code), code).toEqual({
        status: 'errored',
        error: {
          code: 'assertion_javascript_threw',
          message: expect.stringContaining('Access to this API has been restricted'),
        },
      });
    }
    expect(existsSync(target)).toBe(false);
  });

  it('cannot read a file', async () => {
    expect(
      await run(
        `require('fs').readFileSync(${JSON.stringify(fileURLToPath(import.meta.url))}, 'utf8').length > 0`,
      ),
    ).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_javascript_threw', message: expect.stringContaining('restricted') },
    });
  });

  it('cannot start a child process or a worker', async () => {
    const marker = join(directory, 'spawned.txt');
    for (const code of [
      `require('child_process').execSync('touch ${marker}'); return true`,
      `(await import('node:child_process')).spawnSync('touch', [${JSON.stringify(marker)}]); return true`,
      `new (require('worker_threads').Worker)('1', { eval: true }); return true`,
    ]) {
      expect(await run(code), code).toMatchObject({
        status: 'errored',
        error: { code: 'assertion_javascript_threw', message: expect.stringContaining('restricted') },
      });
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('does not see the environment of the parent', async () => {
    vi.stubEnv('FLYWHEEL_SANDBOX_TEST_SECRET', 'hunter2');
    expect(process.env.FLYWHEEL_SANDBOX_TEST_SECRET).toBe('hunter2');
    expect(
      await run(
        'Object.keys(process.env).length === 0 && process.env.FLYWHEEL_SANDBOX_TEST_SECRET === undefined',
      ),
    ).toMatchObject({
      pass: true,
    });
  });

  it('errors when the code exits or leaves a promise that never settles', async () => {
    expect(await run('process.exit(0)')).toEqual({
      status: 'errored',
      error: {
        code: 'assertion_javascript_failed',
        message: 'javascript exited without a result (exit code 0)',
      },
    });
    expect(await run('new Promise(() => {})')).toEqual({
      status: 'errored',
      error: {
        code: 'assertion_javascript_failed',
        message: 'javascript returned a promise that never settles',
      },
    });
  });

  it('stops a process that floods standard output', async () => {
    expect(
      await run(
        'const chunk = "x".repeat(65536); for (let i = 0; i < 40; i++) process.stdout.write(chunk); return true',
      ),
    ).toEqual({
      status: 'errored',
      error: {
        code: 'assertion_javascript_failed',
        message: 'javascript wrote more than 1048576 bytes to standard output and was stopped',
      },
    });
  });

  it('errors on vars that cannot be sent as JSON', async () => {
    expect(await run('true', 'x', { big: 1n })).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_javascript_failed', message: expect.stringContaining('cannot be sent') },
    });
  });

  it('answers errored for runs in flight and after close, and closes twice', async () => {
    const closing = createJavascriptSandbox({ timeoutMs: 10_000 });
    const inFlight = closing.run({ code: 'while (true) {}', output: '', vars: {} });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await closing.close();
    await closing.close();
    expect(await inFlight).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_service_unavailable' },
    });
    expect(await closing.run({ code: 'true', output: '', vars: {} })).toEqual({
      status: 'errored',
      error: { code: 'assertion_service_unavailable', message: 'the JavaScript sandbox is closed' },
    });
  });

  it('runs no more processes at once than allowed, queueing the rest', async () => {
    const single = createJavascriptSandbox({ maxProcesses: 1, timeoutMs: 5000 });
    try {
      const code =
        'const start = Date.now(); await new Promise((resolve) => setTimeout(resolve, 50)); return { pass: true, reason: start + "-" + Date.now() }';
      const results = await Promise.all([1, 2, 3].map(() => single.run({ code, output: '', vars: {} })));
      const spans = results
        .map((result) =>
          result.status === 'scored' ? result.reason.split('-').map(Number) : [Number.NaN, Number.NaN],
        )
        .sort((a, b) => a[0]! - b[0]!);
      expect(spans.flat().every(Number.isFinite)).toBe(true);
      // One at a time: each run's code starts after the previous one's ended.
      expect(spans[1]![0]!).toBeGreaterThanOrEqual(spans[0]![1]!);
      expect(spans[2]![0]!).toBeGreaterThanOrEqual(spans[1]![1]!);
    } finally {
      await single.close();
    }
  });

  it('refuses limits that are not positive numbers', () => {
    expect(() => createJavascriptSandbox({ timeoutMs: 0 })).toThrow('timeoutMs must be a number above 0');
    expect(() => createJavascriptSandbox({ maxMemoryMb: Number.NaN })).toThrow(
      'maxMemoryMb must be a number above 0',
    );
  });
});
