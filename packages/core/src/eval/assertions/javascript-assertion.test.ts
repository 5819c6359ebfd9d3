import { readdirSync, readFileSync } from 'node:fs';
import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import type {
  AssertionConfig,
  AssertionContext,
  AssertionServices,
  JavascriptRunRequest,
  JavascriptRunResult,
} from './assertion.js';
import { runAssertion, validateAssertions } from './registry.js';

/** A sandbox that answers a fixed result and records what it was asked to run. */
function fakeSandbox(answer: JavascriptRunResult | (() => Promise<JavascriptRunResult>)) {
  const calls: JavascriptRunRequest[] = [];
  const runJavascript: NonNullable<AssertionServices['runJavascript']> = async (request) => {
    calls.push(request);
    return typeof answer === 'function' ? answer() : answer;
  };
  return { calls, services: { runJavascript } satisfies AssertionServices };
}

const on = (
  services: AssertionServices | undefined,
  extra: Partial<AssertionContext> = {},
): AssertionContext => ({
  output: 'Paris',
  vars: { city: 'Paris' },
  ...extra,
  ...(services ? { services } : {}),
});

const javascript = (value: unknown, threshold?: number): AssertionConfig => ({
  type: 'javascript',
  value,
  ...(threshold !== undefined ? { threshold } : {}),
});

const scored = (pass: boolean, score: number, reason = 'r'): JavascriptRunResult => ({
  status: 'scored',
  pass,
  score,
  reason,
});

describe('javascript', () => {
  it('sends the code untemplated with the output, the vars and the prompt, and returns the verdict', async () => {
    const sandbox = fakeSandbox(scored(true, 1, 'javascript returned true'));
    const code = 'output === context.vars.city && "{{city}}".length > 0';
    expect(await runAssertion(javascript(code), on(sandbox.services, { prompt: 'Capital?' }))).toEqual({
      status: 'scored',
      pass: true,
      score: 1,
      reason: 'javascript returned true',
    });
    expect(sandbox.calls).toEqual([{ code, output: 'Paris', vars: { city: 'Paris' }, prompt: 'Capital?' }]);
  });

  it('fails when the code says so', async () => {
    const sandbox = fakeSandbox(scored(false, 0, 'javascript returned false'));
    expect(await runAssertion(javascript('output.length > 10'), on(sandbox.services))).toEqual({
      status: 'scored',
      pass: false,
      score: 0,
      reason: 'javascript returned false',
    });
  });

  it('with a threshold, fails a pass whose score is below it', async () => {
    const sandbox = fakeSandbox(scored(true, 0.4, 'javascript returned the score 0.4'));
    expect(await runAssertion(javascript('0.4', 0.5), on(sandbox.services))).toEqual({
      status: 'scored',
      pass: false,
      score: 0.4,
      reason: 'score 0.4 is below the threshold 0.5: javascript returned the score 0.4',
    });
    expect(await runAssertion(javascript('0.4', 0.3), on(sandbox.services))).toMatchObject({
      pass: true,
      score: 0.4,
    });
  });

  it('passes on what the sandbox reports when the code could not give a verdict', async () => {
    const timeout = fakeSandbox({
      status: 'errored',
      error: {
        code: 'assertion_timeout',
        message: 'javascript did not finish within 5000 ms and was stopped',
      },
    });
    expect(await runAssertion(javascript('while (true) {}'), on(timeout.services))).toEqual({
      status: 'errored',
      error: {
        code: 'assertion_timeout',
        message: 'javascript did not finish within 5000 ms and was stopped',
      },
    });
  });

  it('errors when the sandbox answers something malformed or throws', async () => {
    const malformed = fakeSandbox(scored(true, 7));
    expect(await runAssertion(javascript('7'), on(malformed.services))).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_javascript_failed' },
    });
    const throwing = fakeSandbox(() => Promise.reject(new FlywheelError('shutting_down', 'closing')));
    expect(await runAssertion(javascript('true'), on(throwing.services))).toEqual({
      status: 'errored',
      error: { code: 'shutting_down', message: 'javascript: the sandbox failed: closing' },
    });
  });

  it('errors with what to do when the run has no sandbox', async () => {
    expect(await runAssertion(javascript('true'), on(undefined))).toEqual({
      status: 'errored',
      error: {
        code: 'assertion_service_unavailable',
        message:
          'javascript needs a JavaScript sandbox (a separate process with time and memory limits) and this run has none: run the suite with the flywheel CLI',
      },
    });
  });

  it('accepts any non-empty code at load without compiling it, and refuses the rest', () => {
    expect(validateAssertions([javascript('output.length <')], 'c')).toEqual([]);
    expect(validateAssertions([javascript(''), javascript(42), javascript('true', 2)], 'c')).toEqual([
      'c.assert[0] (javascript): value must be JavaScript code such as "output.length < 100" (a non-empty string), got an empty string',
      'c.assert[1] (javascript): value must be JavaScript code such as "output.length < 100" (a non-empty string), got a number',
      'c.assert[2] (javascript): threshold (the minimum score) must be a number between 0 and 1, got 2',
    ]);
  });
});

describe('user code in core and server', () => {
  it('is never compiled in process: no eval, new Function or vm outside tests', () => {
    const forbidden = /\bnew\s+Function\s*\(|\beval\s*\(|['"](node:)?vm['"]/;
    const offenders: string[] = [];
    let scanned = 0;
    for (const root of ['../../../../core/src', '../../../../server/src']) {
      const directory = new URL(`${root}/`, import.meta.url);
      for (const entry of readdirSync(directory, { recursive: true, encoding: 'utf8' })) {
        if (!entry.endsWith('.ts') || entry.endsWith('.test.ts')) continue;
        scanned++;
        if (forbidden.test(readFileSync(new URL(entry, directory), 'utf8')))
          offenders.push(`${root}/${entry}`);
      }
    }
    expect(scanned).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });
});
