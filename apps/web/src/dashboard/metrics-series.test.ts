import { describe, expect, it } from 'vitest';
import { metricsRow } from '../testing-internal/fake-api.js';
import { toMetricsSeries } from './metrics-series.js';

describe('metrics over time', () => {
  it('fills the buckets the server left out: zeros for counts, gaps for latency and error rate', () => {
    const row = metricsRow({
      key: '2026-11-21T10:00:00.000Z',
      requests: 4,
      errors: 1,
      input_tokens: 40,
      output_tokens: 8,
      cost: 0.5,
      latency_ms: { avg: 100, p50: 90, p95: 180, p99: 190 },
    });
    const series = toMetricsSeries(
      { from: '', to: '', group_by: 'time', data: [row], total: row },
      {
        from: new Date('2026-11-21T09:00:00.000Z'),
        to: new Date('2026-11-21T12:00:00.000Z'),
        bucket: 'hour',
      },
    );
    expect(series.times.map((time) => new Date(time).toISOString())).toEqual([
      '2026-11-21T09:00:00.000Z',
      '2026-11-21T10:00:00.000Z',
      '2026-11-21T11:00:00.000Z',
    ]);
    expect(series.requests).toEqual([0, 4, 0]);
    expect(series.errors).toEqual([0, 1, 0]);
    expect(series.inputTokens).toEqual([0, 40, 0]);
    expect(series.cost).toEqual([0, 0.5, 0]);
    expect(series.latencyP95).toEqual([null, 180, null]);
    expect(series.errorRate).toEqual([null, 0.25, null]);
  });
});
