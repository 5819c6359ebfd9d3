import type { SpanRecord, TraceRecord } from '../tracing/span.js';

/** Storage of traces and spans, scoped by project. */
export interface TraceStore {
  /** Upserts traces and spans of one project by (project, id): writing the same batch twice stores it once. */
  writeBatch(projectId: string, batch: { traces: TraceRecord[]; spans: SpanRecord[] }): Promise<void>;
  /** A trace of the project, if any. */
  getTrace(projectId: string, traceId: string): Promise<TraceRecord | undefined>;
  /** The spans of a trace of the project, by start time. */
  listSpans(projectId: string, traceId: string): Promise<SpanRecord[]>;
}
