import { describe, expect, it } from 'vitest';
import { comparePassFail, compareScores } from './compare-metrics.js';
import { seededRandom } from './seeded-random.js';

type PassFailPair = { a: boolean; b: boolean };

/** `count` copies of one pair of outcomes. */
function repeat(count: number, a: boolean, b: boolean): PassFailPair[] {
  return Array.from({ length: count }, () => ({ a, b }));
}

/** A and B drawn independently with the same pass probability: any difference is chance. */
function noisyPassFail(count: number, passProbability: number, seed: number): PassFailPair[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => ({
    a: random() < passProbability,
    b: random() < passProbability,
  }));
}

/** Scores of A, and B = A + shift + noise. */
function shiftedScores(count: number, shift: number, seed: number): Array<{ a: number; b: number }> {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const a = random();
    return { a, b: a + shift + (random() - 0.5) * 0.2 };
  });
}

describe('comparePassFail', () => {
  it('calls a drop from 80 to 50 passing with 30 broken and none fixed a regression', () => {
    const pairs = [...repeat(50, true, true), ...repeat(30, true, false), ...repeat(20, false, false)];
    const result = comparePassFail('exact-match', pairs);
    expect(result).toMatchObject({
      metric: 'exact-match',
      n: 100,
      passRateA: 0.8,
      passRateB: 0.5,
      bFixed: 0,
      bBroke: 30,
      verdict: 'regressed',
    });
    expect(result.delta).toBeCloseTo(-0.3, 12);
    expect(result.pValue).toBeCloseTo(2 * 0.5 ** 30, 20);
  });

  it('calls 25 fixed against 3 broken an improvement', () => {
    const pairs = [...repeat(60, true, true), ...repeat(25, false, true), ...repeat(3, true, false)];
    const result = comparePassFail('contains', [...pairs, ...repeat(12, false, false)]);
    expect(result.bFixed).toBe(25);
    expect(result.bBroke).toBe(3);
    expect(result.passRateB).toBeGreaterThan(result.passRateA);
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.verdict).toBe('improved');
  });

  it('reports no significant change for seeded noise', () => {
    const result = comparePassFail('noise', noisyPassFail(200, 0.7, 2024));
    expect(result.bFixed + result.bBroke).toBeGreaterThan(0);
    expect(result.verdict).toBe('no_significant_change');
  });

  it('flags at most about alpha of pure-noise comparisons', () => {
    let flagged = 0;
    const trials = 400;
    for (let trial = 0; trial < trials; trial++) {
      if (comparePassFail('noise', noisyPassFail(150, 0.6, trial)).verdict !== 'no_significant_change')
        flagged++;
    }
    // The exact test is conservative, so the rate sits at or below 5 %; 8 % allows sampling noise.
    expect(flagged / trials).toBeLessThanOrEqual(0.08);
  });

  it('ignores concordant cases when judging significance', () => {
    const few = comparePassFail('m', [...repeat(8, false, true), ...repeat(1, true, false)]);
    const many = comparePassFail('m', [
      ...repeat(8, false, true),
      ...repeat(1, true, false),
      ...repeat(500, true, true),
    ]);
    expect(many.pValue).toBe(few.pValue);
  });

  it('keeps a lopsided but small difference below significance', () => {
    const result = comparePassFail('m', [...repeat(4, false, true), ...repeat(96, true, true)]);
    expect(result.pValue).toBeCloseTo(0.125, 12);
    expect(result.verdict).toBe('no_significant_change');
  });

  it('applies the alpha option', () => {
    const pairs = [...repeat(9, false, true), ...repeat(1, true, false)];
    expect(comparePassFail('m', pairs).verdict).toBe('improved');
    expect(comparePassFail('m', pairs, { alpha: 0.01 }).verdict).toBe('no_significant_change');
    expect(() => comparePassFail('m', pairs, { alpha: 0 })).toThrow(RangeError);
  });

  it('answers an empty comparison with zeros, p = 1 and no change', () => {
    expect(comparePassFail('m', [])).toEqual({
      metric: 'm',
      n: 0,
      passRateA: 0,
      passRateB: 0,
      delta: 0,
      bFixed: 0,
      bBroke: 0,
      pValue: 1,
      verdict: 'no_significant_change',
    });
  });
});

describe('compareScores', () => {
  it('calls a clear gain an improvement with an interval above zero', () => {
    const result = compareScores('similarity', shiftedScores(200, 0.05, 1));
    expect(result.n).toBe(200);
    expect(result.delta).toBeCloseTo(result.meanB - result.meanA, 12);
    expect(result.low).toBeGreaterThan(0);
    expect(result.verdict).toBe('improved');
  });

  it('calls a clear loss a regression', () => {
    const result = compareScores('similarity', shiftedScores(200, -0.05, 2));
    expect(result.high).toBeLessThan(0);
    expect(result.verdict).toBe('regressed');
  });

  it('reports no significant change for noise around zero', () => {
    const result = compareScores('similarity', shiftedScores(200, 0, 3));
    expect(result.low).toBeLessThan(0);
    expect(result.high).toBeGreaterThan(0);
    expect(result.verdict).toBe('no_significant_change');
  });

  it('flips the verdict when lower is better', () => {
    const slower = shiftedScores(200, 0.05, 4);
    expect(compareScores('latency', slower).verdict).toBe('improved');
    expect(compareScores('latency', slower, { higherIsBetter: false }).verdict).toBe('regressed');
    const faster = shiftedScores(200, -0.05, 5);
    expect(compareScores('latency', faster, { higherIsBetter: false }).verdict).toBe('improved');
  });

  it('skips pairs with a null or NaN side and counts the rest', () => {
    const result = compareScores('score', [
      { a: 1, b: 2 },
      { a: null, b: 5 },
      { a: 3, b: null },
      { a: Number.NaN, b: 1 },
      { a: 2, b: Number.NaN },
      { a: 3, b: 4 },
    ]);
    expect(result).toMatchObject({ n: 2, meanA: 2, meanB: 3, delta: 1, low: 1, high: 1 });
  });

  it('answers no usable pairs with n = 0 and no change, never NaN', () => {
    for (const pairs of [[], [{ a: null, b: 1 }], [{ a: Number.NaN, b: Number.NaN }]]) {
      const result = compareScores('score', pairs);
      expect(result).toEqual({
        metric: 'score',
        n: 0,
        meanA: 0,
        meanB: 0,
        delta: 0,
        low: 0,
        high: 0,
        verdict: 'no_significant_change',
      });
    }
  });

  it('is reproducible for a seed and passes options to the bootstrap', () => {
    const pairs = shiftedScores(100, 0.01, 6);
    expect(compareScores('m', pairs, { seed: 3 })).toEqual(compareScores('m', pairs, { seed: 3 }));
    const narrow = compareScores('m', pairs, { confidence: 0.5, iterations: 500 });
    const wide = compareScores('m', pairs, { confidence: 0.999, iterations: 500 });
    expect(wide.high - wide.low).toBeGreaterThan(narrow.high - narrow.low);
  });
});
