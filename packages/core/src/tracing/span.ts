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

/** One span: a unit of work inside a trace; generations are model calls. */
export interface SpanRecord {
  id: string;
  projectId: string;
  traceId: string;
  parentId: string | null;
  kind: SpanKind;
  name: string;
  /** ISO-8601 UTC. */
  startTime: string;
  endTime: string | null;
  durationMs: number | null;
  status: SpanStatus;
  statusMessage: string | null;
  /** JSON-safe request payload (kept up to the configured cap). */
  input: unknown;
  /** JSON-safe response payload (kept up to the configured cap). */
  output: unknown;
  model: string | null;
  provider: string | null;
  usage: SpanUsage | null;
  /** USD; null means unknown (no price applies), never 0 for unknown. */
  cost: number | null;
  timeToFirstTokenMs: number | null;
  /** Everything else: route, target, attempts, cache status, HTTP status, … */
  attributes: Record<string, unknown>;
}

/** A trace: one end-to-end operation of an LLM app. */
export interface TraceRecord {
  id: string;
  projectId: string;
  name: string;
  startTime: string;
  endTime: string | null;
  status: SpanStatus;
  userId: string | null;
  sessionId: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
  environment: string | null;
  release: string | null;
  input: unknown;
  output: unknown;
}
