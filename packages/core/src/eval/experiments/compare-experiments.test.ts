import { describe, expect, it } from 'vitest';
import { seededRandom } from '../statistics/seeded-random.js';
import { type ComparableResult, compareExperiments, compareResultSets } from './compare-experiments.js';

function result(
  caseKey: string,
  passed: boolean,
  overrides: Partial<ComparableResult> = {},
): ComparableResult {
  return {
    caseKey,
    repeat: 0,
    promptId: 'p',
    providerId: 'flywheel:old',
    vars: { case: caseKey },
    status: passed ? 'passed' : 'failed',
    score: passed ? 1 : 0,
    output: passed ? 'good' : 'bad',
    latencyMs: 100,
    cost: 0.001,
    ...overrides,
  };
}

/** 100 cases: `passA` pass in A; B breaks `broke` of those and fixes `fixed` of the others. */
function runs(passA: number, broke: number, fixed: number) {
  const a: ComparableResult[] = [];
  const b: ComparableResult[] = [];
  for (let index = 0; index < 100; index += 1) {
    const key = `case-${index}`;
    const aPassed = index < passA;
    const bPassed = aPassed ? index >= broke : index < passA + fixed;
    a.push(result(key, aPassed));
    b.push(result(key, bPassed, { providerId: 'flywheel:new' }));
  }
  return { a, b };
}

describe('experiment comparison', () => {
  it('calls a clear regression a regression and lists what broke', () => {
    const { a, b } = runs(80, 30, 0);
    const report = compareResultSets(a, b, { maxChanges: 5 });
    expect(report.pairs).toBe(100);
    expect(report.pass).toMatchObject({
      passRateA: 0.8,
      passRateB: 0.5,
      bBroke: 30,
      bFixed: 0,
      verdict: 'regressed',
    });
    expect(report.pass.pValue).toBeLessThan(0.001);
    expect(report.verdict).toBe('regressed');
    expect(report.brokeCount).toBe(30);
    expect(report.broke).toHaveLength(5);
    expect(report.broke[0]).toMatchObject({
      caseKey: 'case-0',
      a: { status: 'passed' },
      b: { status: 'failed' },
    });
    expect(report.fixedCount).toBe(0);
  });

  it('calls a clear improvement an improvement', () => {
    const { a, b } = runs(50, 1, 25);
    const report = compareResultSets(a, b);
    expect(report.verdict).toBe('improved');
    expect(report.fixedCount).toBe(25);
    expect(report.brokeCount).toBe(1);
  });

  it('calls noise no significant change', () => {
    const random = seededRandom(7);
    const a: ComparableResult[] = [];
    const b: ComparableResult[] = [];
    for (let index = 0; index < 200; index += 1) {
      const passed = random() < 0.7;
      const flipped = random() < 0.1 ? !passed : passed;
      const score = passed ? 0.8 : 0.2;
      a.push(result(`c${index}`, passed, { score }));
      b.push(result(`c${index}`, flipped, { score: flipped ? 0.8 : 0.2 }));
    }
    const report = compareResultSets(a, b);
    expect(report.brokeCount + report.fixedCount).toBeGreaterThan(10);
    expect(report.pass.verdict).toBe('no_significant_change');
    expect(report.verdict).toBe('no_significant_change');
  });

  it('pairs by case and repeat, and counts results only one side has', () => {
    const a = [result('x', true), result('x', true, { repeat: 1 }), result('only-a', true)];
    const b = [result('x', false), result('x', true, { repeat: 1 }), result('only-b', true)];
    const report = compareResultSets(a, b);
    expect(report.pairs).toBe(2);
    expect(report.unpaired).toEqual({ a: 1, b: 1 });
    expect(report.brokeCount).toBe(1);
  });

  it('compares latency and cost with lower as better', () => {
    const a = Array.from({ length: 50 }, (_, index) =>
      result(`c${index}`, true, { latencyMs: 100 + (index % 5) }),
    );
    const b = Array.from({ length: 50 }, (_, index) =>
      result(`c${index}`, true, { latencyMs: 300 + (index % 7) }),
    );
    const report = compareResultSets(a, b);
    expect(report.latency.verdict).toBe('regressed');
    expect(report.cost.verdict).toBe('no_significant_change');
    expect(report.verdict).toBe('no_significant_change');
  });

  it('pairs the targets of two experiments: same prompt and model, else same prompt across a model upgrade', () => {
    const twoPrompts = (providerId: string, breakSecond: boolean) => [
      ...Array.from({ length: 40 }, (_, index) => result(`c${index}`, true, { promptId: 'p1', providerId })),
      ...Array.from({ length: 40 }, (_, index) =>
        result(`c${index}`, !(breakSecond && index < 20), { promptId: 'p2', providerId }),
      ),
    ];
    const upgrade = compareExperiments(twoPrompts('flywheel:old', false), twoPrompts('flywheel:new', true));
    expect(
      upgrade.targets.map((target) => [target.a.promptId, target.b.promptId, target.b.providerId]),
    ).toEqual([
      ['p1', 'p1', 'flywheel:new'],
      ['p2', 'p2', 'flywheel:new'],
    ]);
    expect(upgrade.targets.map((target) => target.verdict)).toEqual(['no_significant_change', 'regressed']);
    expect(upgrade.verdict).toBe('regressed');

    const same = compareExperiments(twoPrompts('flywheel:old', false), twoPrompts('flywheel:old', false));
    expect(same.targets).toHaveLength(2);
    expect(same.verdict).toBe('no_significant_change');
    expect(compareExperiments([], []).verdict).toBe('no_significant_change');
  });
});
