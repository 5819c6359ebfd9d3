import type { MetricsBody, MetricsRowBody } from '@flywheel/spec';
import { bucketStarts, type ResolvedTimeRange } from '../time/time-range.js';

/** Metrics over time, one entry per bucket of the range, with empty buckets filled in. */
export interface MetricsSeries {
  /** Bucket starts, ms since the epoch. */
  times: number[];
  requests: number[];
  errors: number[];
  inputTokens: number[];
  outputTokens: number[];
  cost: number[];
  /** null where a bucket had no requests (a gap in the line, not a zero). */
  latencyP50: Array<number | null>;
  latencyP95: Array<number | null>;
  errorRate: Array<number | null>;
}

/**
 * Lines the rows of `GET /api/metrics?group_by=time` up with every bucket of the range: the server
 * sends only buckets that had requests, and a chart needs the empty ones as zeros.
 */
export function toMetricsSeries(body: MetricsBody, range: ResolvedTimeRange): MetricsSeries {
  const byTime = new Map<number, MetricsRowBody>();
  for (const row of body.data) {
    const time = row.key === null ? Number.NaN : Date.parse(row.key);
    if (!Number.isNaN(time)) byTime.set(time, row);
  }
  const times = [...new Set([...bucketStarts(range), ...byTime.keys()])].sort((a, b) => a - b);
  const rows = times.map((time) => byTime.get(time));
  return {
    times,
    requests: rows.map((row) => row?.requests ?? 0),
    errors: rows.map((row) => row?.errors ?? 0),
    inputTokens: rows.map((row) => row?.input_tokens ?? 0),
    outputTokens: rows.map((row) => row?.output_tokens ?? 0),
    cost: rows.map((row) => row?.cost ?? 0),
    latencyP50: rows.map((row) => (row && row.requests > 0 ? row.latency_ms.p50 : null)),
    latencyP95: rows.map((row) => (row && row.requests > 0 ? row.latency_ms.p95 : null)),
    errorRate: rows.map((row) => (row && row.requests > 0 ? row.errors / row.requests : null)),
  };
}
