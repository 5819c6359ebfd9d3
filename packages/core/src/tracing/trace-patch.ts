import type { SpanKind, SpanStatus, SpanUsage } from './span.js';

/**
 * What one event says about a span. A field left `undefined` is not set by the event and keeps
 * what is stored; `null` sets it empty. Events merge by their `eventTime`: when two set the same
 * field, the later event wins whatever order they arrive in, so an update that overtakes its
 * create merges to the same record as the two in order.
 */
export interface SpanPatch {
  id: string;
  traceId: string;
  /** When the event happened (ISO-8601 UTC). */
  eventTime: string;
  parentId?: string | null;
  kind?: SpanKind;
  name?: string;
  startTime?: string;
  endTime?: string | null;
  /** Exact duration (ms) when the sender measured it; otherwise end minus start. */
  durationMs?: number | null;
  status?: SpanStatus;
  statusMessage?: string | null;
  input?: unknown;
  output?: unknown;
  inputTruncated?: boolean;
  outputTruncated?: boolean;
  model?: string | null;
  provider?: string | null;
  usage?: SpanUsage | null;
  /** USD; null is unknown. */
  cost?: number | null;
  timeToFirstTokenMs?: number | null;
  /** Merged key by key with what is stored. */
  attributes?: Record<string, unknown>;
  promptName?: string | null;
  promptVersion?: number | null;
}

/** What one event says about a trace; same merge rules as {@link SpanPatch}. */
export interface TracePatch {
  id: string;
  eventTime: string;
  name?: string;
  startTime?: string;
  endTime?: string | null;
  status?: SpanStatus;
  userId?: string | null;
  sessionId?: string | null;
  /** Replaces the stored tags. */
  tags?: string[];
  /** Merged key by key with what is stored. */
  metadata?: Record<string, unknown>;
  environment?: string | null;
  release?: string | null;
  input?: unknown;
  output?: unknown;
}

/** How a score's value is typed. */
export type ScoreDataType = 'numeric' | 'boolean' | 'categorical';

/** A score on a trace or one of its spans. */
export interface ScoreRecord {
  id: string;
  traceId: string;
  spanId: string | null;
  name: string;
  dataType: ScoreDataType;
  value: number | boolean | string;
  source: 'api' | 'human' | 'eval';
  comment: string | null;
  createdAt: string;
}

/** Everything one unit of ingestion writes for one project, in one transaction. */
export interface TraceWriteBatch {
  projectId: string;
  traces: TracePatch[];
  spans: SpanPatch[];
  scores: ScoreRecord[];
}
