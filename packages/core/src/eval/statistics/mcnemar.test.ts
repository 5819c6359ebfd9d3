import { describe, expect, it } from 'vitest';
import { mcnemarExact } from './mcnemar.js';

/** Exact two-sided p from rational arithmetic, the reference for small counts. */
function referencePValue(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let coefficient = 1n;
  let tail = 0n;
  for (let index = 0; index <= k; index++) {
    tail += coefficient;
    coefficient = (coefficient * BigInt(n - index)) / BigInt(index + 1);
  }
  // Scale before dividing so the BigInt quotient keeps about 60 bits of the fraction.
  const scaled = (2n * tail * 2n ** 60n) / 2n ** BigInt(n);
  return Math.min(1, Number(scaled) / 2 ** 60);
}

describe('mcnemarExact', () => {
  it('gives 2 * 0.5^10 when all ten discordant pairs go one way', () => {
    expect(mcnemarExact(0, 10)).toEqual({ b: 0, c: 10, pValue: 0.001953125 });
  });

  it('gives 1 for a balanced split', () => {
    expect(mcnemarExact(5, 5).pValue).toBe(1);
  });

  it('gives 22/1024 for one against nine', () => {
    expect(mcnemarExact(1, 9).pValue).toBeCloseTo(0.021484375, 14);
  });

  it('gives 1 when there are no discordant pairs', () => {
    expect(mcnemarExact(0, 0).pValue).toBe(1);
  });

  it('is symmetric in b and c', () => {
    for (const [b, c] of [
      [0, 10],
      [3, 17],
      [40, 60],
      [4900, 5100],
    ] as const) {
      expect(mcnemarExact(b, c).pValue).toBe(mcnemarExact(c, b).pValue);
    }
  });

  it('matches exact rational arithmetic for every split up to 60 pairs', () => {
    for (let n = 1; n <= 60; n++) {
      for (let b = 0; b <= n; b++) {
        const expected = referencePValue(b, n - b);
        const actual = mcnemarExact(b, n - b).pValue;
        expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 1e-12);
      }
    }
  });

  it('matches 60-digit references for counts up to a million', () => {
    // Computed with mpmath at 60 digits, rounded to the nearest double.
    const cases: Array<[number, number, number]> = [
      [4900, 5100, 0.04658552770494739],
      [123, 456, 6.19909170574762e-46],
      [499_000, 501_000, 0.04560829986538208],
      [490_000, 510_000, 5.5443632876992246e-89],
      [499_999, 500_001, 0.9992021156386682],
    ];
    for (const [b, c, expected] of cases) {
      const { pValue } = mcnemarExact(b, c);
      expect(Number.isFinite(pValue)).toBe(true);
      expect(Math.abs(pValue - expected)).toBeLessThanOrEqual(expected * 1e-12);
    }
  });

  it('underflows to 0 rather than NaN for overwhelming evidence', () => {
    expect(mcnemarExact(3, 999_997).pValue).toBe(0);
    expect(mcnemarExact(0, 1_000_000).pValue).toBe(0);
  });

  it('decreases as the split grows more lopsided', () => {
    let previous = Number.POSITIVE_INFINITY;
    for (let b = 50; b >= 0; b--) {
      const { pValue } = mcnemarExact(b, 100 - b);
      expect(pValue).toBeLessThanOrEqual(previous);
      previous = pValue;
    }
  });

  it('rejects counts that are negative or fractional', () => {
    expect(() => mcnemarExact(-1, 3)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 3)).toThrow(RangeError);
    expect(() => mcnemarExact(1, Number.NaN)).toThrow(RangeError);
  });
});
