import {
  type MetricsBody,
  type MetricsQuery,
  metricsSchema,
  type TraceDetailBody,
  type TraceListBody,
  type TraceListQuery,
  traceDetailSchema,
  traceListSchema,
} from '@flywheel/spec';
import type { DatasetTransport } from '../datasets/dataset-api.js';

/** How the trace and metrics APIs reach the server: the client's own `call`. */
export type TraceTransport = Pick<DatasetTransport, 'call'>;

/**
 * Stored traces (`client.traces`): pages of summaries with filters, and one trace with its span
 * tree and scores. Needs a key with the `read` scope.
 *
 * @example
 * const page = await flywheel.traces.list({ status: 'error', limit: 20 });
 * const trace = await flywheel.traces.get(page.data[0]!.id);
 */
export interface TraceApi {
  /** Newest first; pass `next_cursor` back as `cursor` for the next page. */
  list(query?: TraceListQuery): Promise<TraceListBody>;
  /** One trace with its span tree (roots first, children by start time) and scores. */
  get(id: string): Promise<TraceDetailBody>;
}

/**
 * Figures over generations (`client.metrics`): requests, errors, tokens, cost and latency
 * percentiles between `from` and `to`, in total and grouped by time bucket, model or prompt version.
 *
 * @example
 * const hourly = await flywheel.metrics({ from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z', group_by: 'time', bucket: 'hour' });
 */
export type MetricsApi = (query: MetricsQuery) => Promise<MetricsBody>;

export function createTraceApi({ call }: TraceTransport): TraceApi {
  return {
    list: (query = {}) => call(traceListSchema, 'GET', '/api/traces', undefined, toQuery(query)),
    get: (id) => call(traceDetailSchema, 'GET', `/api/traces/${encodeURIComponent(id)}`),
  };
}

export function createMetricsApi({ call }: TraceTransport): MetricsApi {
  return (query) => call(metricsSchema, 'GET', '/api/metrics', undefined, toQuery(query));
}

function toQuery(query: Record<string, unknown>): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(query).map(([name, value]) => [
      name,
      value === undefined ? undefined : Array.isArray(value) ? value.join(',') : String(value),
    ]),
  );
}
