import type { RollupCell } from '../tracing/apply-trace-batch.js';
import type { SpanRecord, SpanStatus, TraceRecord } from '../tracing/span.js';
import type { ScoreRecord, TraceWriteBatch } from '../tracing/trace-patch.js';

/** Filters of {@link TraceStore.listTraces}; all optional, combined with AND. */
export interface TraceQuery {
  from?: string;
  to?: string;
  name?: string;
  userId?: string;
  sessionId?: string;
  /** Every one of these tags. */
  tags?: string[];
  model?: string;
  status?: Exclude<SpanStatus, 'unset'>;
  environment?: string;
  minLatencyMs?: number;
  maxLatencyMs?: number;
  minCost?: number;
  maxCost?: number;
  /** Words that must all appear in an input or output of the trace or one of its spans. */
  text?: string;
  limit: number;
  /** Where the previous page ended: newest first, by (sortTime, id). */
  after?: { sortTime: string; id: string };
}

/** Storage of traces, spans, scores and their metric rollups, scoped by project. */
export interface TraceStore {
  /**
   * Merges a batch of events (see `TraceWriteBatch`) into what is stored: idempotent by
   * (project, id), correct whatever order events arrive in. Run it inside a transaction.
   */
  write(batch: TraceWriteBatch): Promise<void>;
  /** A trace of the project, if any. */
  getTrace(projectId: string, traceId: string): Promise<TraceRecord | undefined>;
  /** The spans of a trace of the project, by start time. */
  listSpans(projectId: string, traceId: string): Promise<SpanRecord[]>;
  /** The scores of a trace of the project, oldest first. */
  listScores(projectId: string, traceId: string): Promise<ScoreRecord[]>;
  /** Traces newest first (by sort time, then id), one page. */
  listTraces(projectId: string, query: TraceQuery): Promise<TraceRecord[]>;
  /** The per-minute rollup cells of the project with a bucket in `[from, to)`. */
  listRollups(projectId: string, from: string, to: string): Promise<RollupCell[]>;
  /** Deletes up to `limit` traces (with their spans and scores) that started before `before`; returns how many. */
  deleteOlderThan(before: string, limit: number): Promise<number>;
}
