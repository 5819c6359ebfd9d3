/** What a span records. */
export type SpanKind = 'span' | 'generation' | 'retrieval' | 'tool' | 'event';

/** How a span or trace ended. */
export type SpanStatus = 'ok' | 'error' | 'unset';

/** Token counts of a generation. */
export interface SpanUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
  /** Counted by Flywheel's tokenizer because the provider reported none. */
  estimated: boolean;
}

/** One span as stored: a unit of work inside a trace; generations are model calls. */
export interface SpanRecord {
  id: string;
  projectId: string;
  traceId: string;
  parentId: string | null;
  kind: SpanKind;
  name: string;
  /** ISO-8601 UTC; null until an event declares it (an update may overtake its create). */
  startTime: string | null;
  endTime: string | null;
  durationMs: number | null;
  status: SpanStatus;
  statusMessage: string | null;
  /** JSON-safe request payload (kept up to the configured cap). */
  input: unknown;
  /** JSON-safe response payload (kept up to the configured cap). */
  output: unknown;
  inputTruncated: boolean;
  outputTruncated: boolean;
  model: string | null;
  provider: string | null;
  usage: SpanUsage | null;
  /** USD; null means unknown (no price applies), never 0 for unknown. */
  cost: number | null;
  timeToFirstTokenMs: number | null;
  /** Everything else: route, target, attempts, cache status, HTTP status, … */
  attributes: Record<string, unknown>;
  promptName: string | null;
  promptVersion: number | null;
  /** Time of the latest event merged into this record. */
  eventTime: string;
}

/**
 * A trace as stored: what events declared (null when none did) plus aggregates over its spans,
 * kept up to date at write time so lists and filters never scan spans.
 */
export interface TraceRecord {
  id: string;
  projectId: string;
  name: string | null;
  startTime: string | null;
  endTime: string | null;
  status: SpanStatus | null;
  userId: string | null;
  sessionId: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
  environment: string | null;
  release: string | null;
  input: unknown;
  output: unknown;
  eventTime: string;
  /** Name of the span without a parent, if one arrived. */
  rootName: string | null;
  spanStartMin: string | null;
  spanEndMax: string | null;
  spanCount: number;
  errorCount: number;
  inputTokens: number;
  outputTokens: number;
  /** USD over spans with a known cost; null when none has one. */
  cost: number | null;
  /** Generations whose cost is unknown. */
  unknownCostCount: number;
  models: string[];
  /** Declared start, else the earliest span start, else the first event time; what lists sort by. */
  sortTime: string;
  displayName: string;
  /** Declared status, else `error` when a span failed, else `ok`. */
  displayStatus: SpanStatus;
  latencyMs: number | null;
}
