import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import type { EvalCase, EvalPlan, EvalPrompt, EvalProvider } from '../eval-suite.js';
import type { EvalCaseResult, EvalModelCall, EvalModelResult } from './eval-result.js';
import { runEval } from './eval-runner.js';
import { describeSummaryRow } from './eval-summary.js';

const textPrompt: EvalPrompt = {
  id: 'p-text',
  label: 'text',
  type: 'text',
  template: 'What is the capital of {{country}}?',
  config: {},
};
const chatPrompt: EvalPrompt = {
  id: 'p-chat',
  label: 'chat',
  type: 'chat',
  template: [
    { role: 'system', content: 'Answer in one word.' },
    { role: 'user', content: 'Capital of {{country}}?' },
  ],
  config: {},
};
const modelA: EvalProvider = { id: 'flywheel:a', alias: 'a', label: 'a', config: {} };
const modelB: EvalProvider = { id: 'flywheel:b', alias: 'b', label: 'b', config: {} };

const capitals: Record<string, string> = { France: 'Paris', Italy: 'Rome', Spain: 'Madrid' };

function cases(countries: string[]): EvalCase[] {
  return countries.map((country, index) => ({
    index,
    key: country,
    vars: { country },
    assert: [{ type: 'icontains', value: capitals[country] ?? '?' }],
  }));
}

function answer(output: string, extra: Partial<EvalModelResult> = {}): EvalModelResult {
  return {
    output,
    inputTokens: 10,
    outputTokens: 2,
    cost: 0.001,
    latencyMs: 5,
    traceId: 'tr',
    cached: false,
    ...extra,
  };
}

/** A model that knows every capital but Spain's (model b) and answers after a tick. */
async function knowsMost(call: EvalModelCall): Promise<EvalModelResult> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  const country = call.evalCase.vars.country as string;
  if (call.provider.alias === 'b' && country === 'Spain') return answer('Barcelona');
  return answer(`It is ${capitals[country]}.`);
}

describe('eval runner', () => {
  it('runs every prompt × model × case × repeat, scores it, and streams each result out', async () => {
    const written: EvalCaseResult[] = [];
    const calls: EvalModelCall[] = [];
    const plan: EvalPlan = {
      prompts: [textPrompt, chatPrompt],
      providers: [modelA, modelB],
      cases: cases(['France', 'Italy', 'Spain']),
      caseCount: 3,
    };
    const progress: number[] = [];
    const summary = await runEval(
      plan,
      {
        callModel: (call) => {
          calls.push(call);
          return knowsMost(call);
        },
        write: (result) => {
          written.push(result);
        },
        onProgress: (event) => {
          expect(event.total).toBe(24);
          progress.push(event.done);
        },
      },
      { concurrency: 4, repeat: 2 },
    );
    expect(written).toHaveLength(24);
    expect(progress).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
    expect(calls.find((call) => call.prompt.id === 'p-text')?.rendered).toBe(
      'What is the capital of France?',
    );
    expect(calls.find((call) => call.prompt.id === 'p-chat')?.rendered).toEqual([
      { role: 'system', content: 'Answer in one word.' },
      { role: 'user', content: 'Capital of France?' },
    ]);
    expect(summary.total).toMatchObject({ results: 24, passed: 20, failed: 4, errored: 0, inputTokens: 240 });
    expect(summary.total.cost).toBeCloseTo(0.024);
    const rowB = summary.rows.get('p-text\u0000flywheel:b')!;
    expect(rowB).toMatchObject({ results: 6, passed: 4, failed: 2 });
    expect(describeSummaryRow(rowB).passRate).toBeCloseTo(4 / 6);
    const failed = written.find((result) => result.status === 'failed')!;
    expect(failed).toMatchObject({
      providerId: 'flywheel:b',
      output: 'Barcelona',
      vars: { country: 'Spain' },
    });
    expect(failed.assertions[0]).toMatchObject({
      type: 'icontains',
      result: { status: 'scored', pass: false },
    });
    expect(summary.cancelled).toBe(false);
  });

  it('never has more than `concurrency` calls in flight, and pulls cases only as workers free up', async () => {
    let inFlight = 0;
    let peak = 0;
    let pulled = 0;
    let finished = 0;
    let maxAhead = 0;
    function* manyCases(): Generator<EvalCase> {
      for (let index = 0; index < 200; index += 1) {
        pulled += 1;
        maxAhead = Math.max(maxAhead, pulled - finished);
        yield { index, key: `k${index}`, vars: { country: 'France' }, assert: [] };
      }
    }
    await runEval(
      { prompts: [textPrompt], providers: [modelA], cases: manyCases() },
      {
        callModel: async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight -= 1;
          return answer('Paris');
        },
        write: () => {
          finished += 1;
        },
      },
      { concurrency: 7 },
    );
    expect(peak).toBe(7);
    expect(finished).toBe(200);
    // Seven calls in flight and at most seven answers being scored, plus the case being pulled.
    expect(maxAhead).toBeLessThanOrEqual(15);
  });

  it('starts the next call before it scores and writes the answer that just arrived', async () => {
    const events: string[] = [];
    await runEval(
      { prompts: [textPrompt], providers: [modelA], cases: cases(['France', 'Italy', 'Spain']) },
      {
        callModel: async (call) => {
          events.push(`call ${call.evalCase.key}`);
          await new Promise((resolve) => setTimeout(resolve, 1));
          return answer(capitals[call.evalCase.vars.country as string]!);
        },
        write: (result) => {
          events.push(`write ${result.caseKey}`);
        },
      },
      { concurrency: 1 },
    );
    expect(events).toEqual([
      'call France',
      'call Italy',
      'write France',
      'call Spain',
      'write Italy',
      'write Spain',
    ]);
  });

  it('records a missing variable or a failing model as an errored result without stopping the run', async () => {
    const written: EvalCaseResult[] = [];
    let calls = 0;
    const summary = await runEval(
      {
        prompts: [textPrompt],
        providers: [modelA],
        cases: [
          { index: 0, key: 'a', vars: {}, assert: [{ type: 'contains', value: 'Paris' }] },
          { index: 1, key: 'b', vars: { country: 'France' }, assert: [{ type: 'contains', value: 'Paris' }] },
          { index: 2, key: 'c', vars: { country: 'Italy' }, assert: [{ type: 'contains', value: 'Rome' }] },
        ],
      },
      {
        callModel: async (call) => {
          calls += 1;
          if (call.evalCase.index === 1)
            throw new FlywheelError('upstream_timeout', 'The model did not answer in time.');
          return answer('Rome');
        },
        write: (result) => {
          written.push(result);
        },
      },
      { concurrency: 1 },
    );
    expect(calls).toBe(2);
    expect(written.map((result) => [result.caseIndex, result.status, result.error?.code ?? null])).toEqual([
      [0, 'errored', 'template_variables_missing'],
      [1, 'errored', 'upstream_timeout'],
      [2, 'passed', null],
    ]);
    expect(written[0]!.output).toBeNull();
    expect(written[1]!.assertions[0]!.result.status).toBe('errored');
    expect(summary.total).toMatchObject({ passed: 1, errored: 2 });
  });

  it('stops cleanly when cancelled: keeps what finished, aborts calls in flight, records nothing after', async () => {
    const controller = new AbortController();
    const written: EvalCaseResult[] = [];
    let aborted = 0;
    const summary = await runEval(
      {
        prompts: [textPrompt],
        providers: [modelA],
        cases: Array.from({ length: 1000 }, (_, index) => ({
          index,
          key: `k${index}`,
          vars: { country: 'France' },
          assert: [],
        })),
      },
      {
        callModel: (call) =>
          new Promise<EvalModelResult>((resolve, reject) => {
            const timer = setTimeout(() => resolve(answer('Paris')), call.evalCase.index % 3 === 0 ? 1 : 20);
            call.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              aborted += 1;
              reject(new Error('aborted'));
            });
          }),
        write: (result) => {
          written.push(result);
          if (written.length === 10) controller.abort();
        },
      },
      { concurrency: 5, signal: controller.signal },
    );
    expect(summary.cancelled).toBe(true);
    expect(written.length).toBeGreaterThanOrEqual(10);
    expect(written.length).toBeLessThan(20);
    expect(summary.total.results).toBe(written.length);
    expect(written.every((result) => result.status === 'passed')).toBe(true);
    expect(aborted).toBeGreaterThan(0);
  });

  it('fails the run when results cannot be stored, instead of dropping them', async () => {
    await expect(
      runEval(
        { prompts: [textPrompt], providers: [modelA], cases: cases(['France', 'Italy']) },
        {
          callModel: async () => answer('Paris'),
          write: () => {
            throw new FlywheelError('storage_full', 'The disk is full.');
          },
        },
      ),
    ).rejects.toMatchObject({ code: 'storage_full' });
  });

  it('refuses a concurrency or repeat below 1', async () => {
    const plan: EvalPlan = { prompts: [textPrompt], providers: [modelA], cases: [] };
    const deps = { callModel: async () => answer(''), write: () => {} };
    await expect(runEval(plan, deps, { concurrency: 0 })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(runEval(plan, deps, { repeat: 1.5 })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
