import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from './paired-bootstrap.js';
import { seededRandom } from './seeded-random.js';

/** Deltas uniform on [center - 1, center + 1), so the true mean is `center`. */
function uniformDeltas(count: number, center: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => center + 2 * random() - 1);
}

describe('pairedBootstrap', () => {
  it('reports the sample mean and an interval around it', () => {
    const result = pairedBootstrap([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.n).toBe(10);
    expect(result.meanDelta).toBeCloseTo(5.5, 12);
    expect(result.low).toBeLessThan(5.5);
    expect(result.high).toBeGreaterThan(5.5);
    expect(result.low).toBeGreaterThan(1);
    expect(result.high).toBeLessThan(10);
  });

  it('contains the true mean of a constructed dataset', () => {
    const result = pairedBootstrap(uniformDeltas(1000, 0.3, 11));
    expect(result.low).toBeLessThan(0.3);
    expect(result.high).toBeGreaterThan(0.3);
    // The standard error is 0.577 / sqrt(1000) = 0.018, so a 95 % interval is about 0.07 wide.
    expect(result.high - result.low).toBeGreaterThan(0.05);
    expect(result.high - result.low).toBeLessThan(0.09);
  });

  it('covers the true mean in about 95 % of repeated experiments', () => {
    let covered = 0;
    const experiments = 200;
    for (let experiment = 0; experiment < experiments; experiment++) {
      const result = pairedBootstrap(uniformDeltas(50, -0.2, 1000 + experiment), {
        iterations: 1000,
        seed: experiment,
      });
      if (result.low <= -0.2 && -0.2 <= result.high) covered++;
    }
    expect(covered / experiments).toBeGreaterThan(0.88);
    expect(covered / experiments).toBeLessThanOrEqual(0.99);
  });

  it('is deterministic for a fixed seed and varies with the seed', () => {
    const deltas = uniformDeltas(200, 0, 5);
    expect(pairedBootstrap(deltas, { seed: 9 })).toEqual(pairedBootstrap(deltas, { seed: 9 }));
    expect(pairedBootstrap(deltas)).toEqual(pairedBootstrap(deltas));
    expect(pairedBootstrap(deltas, { seed: 9 }).low).not.toBe(pairedBootstrap(deltas, { seed: 10 }).low);
  });

  it('narrows with more data', () => {
    const small = pairedBootstrap(uniformDeltas(100, 0.1, 21));
    const large = pairedBootstrap(uniformDeltas(10_000, 0.1, 21));
    // Width shrinks like 1 / sqrt(n): a tenth, give or take resampling noise.
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 5);
  });

  it('widens with the confidence level', () => {
    const deltas = uniformDeltas(300, 0, 8);
    const narrow = pairedBootstrap(deltas, { confidence: 0.8 });
    const wide = pairedBootstrap(deltas, { confidence: 0.99 });
    expect(wide.low).toBeLessThan(narrow.low);
    expect(wide.high).toBeGreaterThan(narrow.high);
  });

  it('gives a zero-width interval at the value for constant deltas', () => {
    expect(pairedBootstrap(new Array(37).fill(0.1))).toEqual({ meanDelta: 0.1, low: 0.1, high: 0.1, n: 37 });
    expect(pairedBootstrap([-2])).toEqual({ meanDelta: -2, low: -2, high: -2, n: 1 });
  });

  it('gives n = 0 and zeros for no deltas', () => {
    expect(pairedBootstrap([])).toEqual({ meanDelta: 0, low: 0, high: 0, n: 0 });
  });

  it('rejects non-finite deltas and invalid options', () => {
    expect(() => pairedBootstrap([1, Number.NaN])).toThrow(RangeError);
    expect(() => pairedBootstrap([1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => pairedBootstrap([1, 2], { iterations: 0 })).toThrow(RangeError);
    expect(() => pairedBootstrap([1, 2], { iterations: 10.5 })).toThrow(RangeError);
    expect(() => pairedBootstrap([1, 2], { confidence: 1 })).toThrow(RangeError);
    expect(() => pairedBootstrap([1, 2], { confidence: Number.NaN })).toThrow(RangeError);
  });
});

describe('pairedBootstrap resampling stream', () => {
  it('draws its indices from the seededRandom stream of its seed', () => {
    const deltas = [0.5, -1, 2, 0, 3.25, -0.75, 1];
    const iterations = 50;
    const random = seededRandom(77);
    const means: number[] = [];
    for (let iteration = 0; iteration < iterations; iteration++) {
      let sum = 0;
      for (let draw = 0; draw < deltas.length; draw++) sum += deltas[Math.floor(random() * deltas.length)]!;
      means.push(sum / deltas.length);
    }
    means.sort((left, right) => left - right);
    const result = pairedBootstrap(deltas, { iterations, seed: 77, confidence: 0.9 });
    // Type 7 quantiles of 50 sorted means: positions 49 * 0.05 and 49 * 0.95.
    const low = means[2]! + (means[3]! - means[2]!) * 0.45;
    const high = means[46]! + (means[47]! - means[46]!) * 0.55;
    expect(result.low).toBeCloseTo(low, 12);
    expect(result.high).toBeCloseTo(high, 12);
  });
});
