import { describe, expect, it } from 'vitest';
import {
  addToHistogram,
  histogramPercentiles,
  type LatencyHistogram,
  mergeHistogram,
} from './latency-histogram.js';

describe('latency histogram', () => {
  it('reads percentiles within 5 % of the exact values', () => {
    const histogram: LatencyHistogram = {};
    const values = Array.from({ length: 1000 }, (_, index) => index + 1);
    for (const value of values) addToHistogram(histogram, value);
    const [p50, p95, p99] = histogramPercentiles(histogram, [50, 95, 99]);
    expect(p50).toBeGreaterThanOrEqual(500);
    expect(p50).toBeLessThanOrEqual(525);
    expect(p95).toBeGreaterThanOrEqual(950);
    expect(p95).toBeLessThanOrEqual(998);
    expect(p99).toBeGreaterThanOrEqual(990);
    expect(p99).toBeLessThanOrEqual(1040);
  });

  it('merges by adding counts and forgets removed observations', () => {
    const a: LatencyHistogram = {};
    const b: LatencyHistogram = {};
    addToHistogram(a, 10);
    addToHistogram(b, 1000);
    mergeHistogram(a, b);
    expect(histogramPercentiles(a, [100])[0]).toBeGreaterThanOrEqual(1000);
    addToHistogram(a, 1000, -1);
    expect(histogramPercentiles(a, [100])[0]).toBeLessThan(11);
    addToHistogram(a, 10, -1);
    expect(a).toEqual({});
    expect(histogramPercentiles(a, [50])).toEqual([null]);
  });
});
