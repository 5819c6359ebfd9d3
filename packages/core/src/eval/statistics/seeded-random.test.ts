import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.js';

function take(random: () => number, count: number): number[] {
  return Array.from({ length: count }, () => random());
}

describe('seededRandom', () => {
  it('repeats the same stream for the same seed', () => {
    expect(take(seededRandom(42), 100)).toEqual(take(seededRandom(42), 100));
  });

  it('gives different streams for different seeds', () => {
    expect(take(seededRandom(1), 10)).not.toEqual(take(seededRandom(2), 10));
  });

  it('keeps generators independent of each other', () => {
    const first = seededRandom(7);
    const second = seededRandom(7);
    const interleaved = [first(), first(), second(), first(), second()];
    expect(interleaved[2]).toBe(interleaved[0]);
    expect(interleaved[4]).toBe(interleaved[1]);
  });

  it('stays within [0, 1) with a mean near one half', () => {
    const values = take(seededRandom(123), 100_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.495);
    expect(mean).toBeLessThan(0.505);
  });

  it('fills ten equal buckets evenly', () => {
    const random = seededRandom(99);
    const buckets = new Array<number>(10).fill(0);
    for (let index = 0; index < 100_000; index++) buckets[Math.floor(random() * 10)]!++;
    for (const count of buckets) {
      expect(count).toBeGreaterThan(9_500);
      expect(count).toBeLessThan(10_500);
    }
  });

  it('accepts negative, fractional and non-finite seeds deterministically', () => {
    expect(take(seededRandom(-1), 5)).toEqual(take(seededRandom(2 ** 32 - 1), 5));
    expect(take(seededRandom(3.7), 5)).toEqual(take(seededRandom(3), 5));
    expect(take(seededRandom(Number.NaN), 5)).toEqual(take(seededRandom(0), 5));
  });
});
