import type { ContextManager } from './context-manager.js';
import type { FlushOptions, FlushResult } from './flush-tracker.js';
import type { IngestExporter, IngestExporterOptions, IngestExporterStats } from './ingest-exporter.js';

/** What a span records. */
export type SpanKind = 'span' | 'generation' | 'retrieval' | 'tool' | 'event';

/** How a span or trace ended. */
export type SpanStatus = 'ok' | 'error';

/** Token counts of a generation. */
export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** Of the input tokens, those served from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** Of the output tokens, those spent on reasoning. */
  reasoningTokens?: number;
}

/** Fields a span can set when it starts, on `update()` and on `end()`; what is left out is kept. */
export interface SpanFields {
  name?: string;
  /** What the step received (masked before it is queued). */
  input?: unknown;
  /** What the step produced (masked before it is queued). */
  output?: unknown;
  /** The model that answered, e.g. `gpt-4o-mini`. */
  model?: string;
  /** Who served it, e.g. `openai`. */
  provider?: string;
  usage?: TokenUsage;
  /** USD; `null` is unknown; left out, the server prices `usage` when it knows the model. */
  cost?: number | null;
  timeToFirstTokenMs?: number;
  /** Free-form key-values, merged key by key with earlier ones (masked before they are queued). */
  attributes?: Record<string, unknown>;
  status?: SpanStatus;
  statusMessage?: string;
  /** The prompt version the generation rendered. */
  prompt?: { name: string; version: number };
}

/** What `end()` of a span takes: its last fields, and how it ended. */
export interface SpanEndFields extends SpanFields {
  /** Marks the span as failed with this error's message (unless `status` says otherwise). */
  error?: unknown;
  /** When it ended (default: now). */
  endTime?: Date;
}

/** Options of a new span. */
export interface SpanOptions extends SpanFields {
  name: string;
  /** Default `span`. */
  kind?: SpanKind;
  /** Nest under this span or trace instead of the current one. */
  parent?: SpanHandle | TraceHandle;
  /** When it started (default: now), for steps recorded after the fact. */
  startTime?: Date;
}

/** Fields of a trace. */
export interface TraceFields {
  name?: string;
  input?: unknown;
  output?: unknown;
  userId?: string | null;
  sessionId?: string | null;
  /** Replaces the trace's tags. */
  tags?: string[];
  /** Merged key by key with earlier metadata (masked before it is queued). */
  metadata?: Record<string, unknown>;
}

/** Options of a new trace. */
export interface TraceOptions extends TraceFields {
  name: string;
  /** Reuse an id (e.g. a request id from upstream); default: 32 random hex digits. */
  id?: string;
  /** When it started (default: now). */
  startTime?: Date;
}

/** A score of a trace or of one of its spans (feedback, evaluation). */
export interface ScoreOptions {
  traceId: string;
  spanId?: string;
  /** E.g. `helpful`, `correctness`. */
  name: string;
  /** A number, a boolean, or a category. */
  value: number | boolean | string;
  /** Default `api`. */
  source?: 'api' | 'human' | 'eval';
  comment?: string;
  /** Re-sending a score with the same id replaces it (default: a new id). */
  id?: string;
}

/** What a span or trace handle can score: the ids are its own. */
export type OwnScoreOptions = Omit<ScoreOptions, 'traceId' | 'spanId'>;

/** What the two kinds of handles have in common: parents of spans. */
export interface ObservationHandle {
  readonly id: string;
  readonly traceId: string;
  /** Whether the trace is recorded; spans of a trace sampled out cost ids, nothing is sent. */
  readonly sampled: boolean;
  /** Starts a child span; with `fn`, runs it inside the child and ends the child with its outcome. */
  span(options: Omit<SpanOptions, 'parent'>): SpanHandle;
  span<R>(options: Omit<SpanOptions, 'parent'>, fn: (span: SpanHandle) => R): R;
  /** `span()` of kind `generation` (a model call). */
  generation(options: Omit<SpanOptions, 'parent' | 'kind'>): SpanHandle;
  generation<R>(options: Omit<SpanOptions, 'parent' | 'kind'>, fn: (span: SpanHandle) => R): R;
  /** Scores this span or trace; returns the score's id. */
  score(score: OwnScoreOptions): string;
}

/** A started span. */
export interface SpanHandle extends ObservationHandle {
  readonly kind: SpanKind;
  /** The parent span's id; `null` at the top of the trace. */
  readonly parentId: string | null;
  /** Sends new values of some fields. */
  update(fields: SpanFields): void;
  /** Records time to first token as now minus the span's start (for streams you consume yourself). */
  markFirstToken(): void;
  /** Ends the span: status `ok` unless `status` or `error` says otherwise. Later calls are ignored. */
  end(fields?: SpanEndFields): void;
}

/** A started trace. */
export interface TraceHandle extends ObservationHandle {
  update(fields: TraceFields): void;
  /** Ends the trace. Later calls are ignored. */
  end(fields?: { output?: unknown; status?: SpanStatus; endTime?: Date }): void;
}

/** Options of `observe()`. */
export interface ObserveOptions extends Omit<SpanOptions, 'parent' | 'name' | 'input' | 'output'> {
  /** Default: the function's name. */
  name?: string;
  /** Record the arguments as input (default true). */
  captureInput?: boolean;
  /** Record the result (or resolved value) as output (default true). */
  captureOutput?: boolean;
}

/** Options of {@link createFlywheelTracer}. */
export interface FlywheelTracerOptions extends IngestExporterOptions {
  /**
   * Redacts a value: called on every input, output, metadata and attributes object before it is
   * queued, so nothing unmasked leaves the process. If it throws, the value is replaced by
   * `"[mask failed]"`.
   */
  mask?: (value: unknown) => unknown;
  /** Share of traces recorded, 0 to 1 (default 1), decided per trace; spans follow their trace. */
  sampleRate?: number;
  /** Set on every trace, e.g. `production`. */
  environment?: string;
  /** Set on every trace, e.g. a version or commit. */
  release?: string;
  /**
   * Keeps track of the current span (default: a synchronous stack; `@flywheel/sdk/node` uses
   * AsyncLocalStorage, which follows awaits).
   */
  contextManager?: ContextManager<SpanHandle | TraceHandle>;
  /** Where events go (default: a batching exporter to `baseUrl`); tests pass `createMemoryExporter()`. */
  exporter?: IngestExporter;
}

/** Records traces, spans and scores of an app; see {@link createFlywheelTracer}. */
export interface FlywheelTracer {
  /** Starts a trace; with `fn`, runs it inside the trace and ends the trace with its outcome. */
  trace(options: TraceOptions): TraceHandle;
  trace<R>(options: TraceOptions, fn: (trace: TraceHandle) => R): R;
  /**
   * Starts a span under `options.parent`, else the current span or trace, else a new trace of its
   * own; with `fn`, runs it inside the span and ends the span with its outcome (output = the
   * result or resolved value; a throw or rejection = status `error`, rethrown).
   */
  span(options: SpanOptions): SpanHandle;
  span<R>(options: SpanOptions, fn: (span: SpanHandle) => R): R;
  /** `span()` of kind `generation` (a model call). */
  generation(options: Omit<SpanOptions, 'kind'>): SpanHandle;
  generation<R>(options: Omit<SpanOptions, 'kind'>, fn: (span: SpanHandle) => R): R;
  /** Wraps a function so that each call is a span: input = arguments, output = result, throw = error. */
  observe<This, A extends unknown[], R>(
    fn: (this: This, ...args: A) => R,
    options?: ObserveOptions,
  ): (this: This, ...args: A) => R;
  /** Scores a trace or span; returns the score's id. Always sent (sampling does not know the id). */
  score(score: ScoreOptions): string;
  /** The current span or trace, if any. */
  current(): SpanHandle | TraceHandle | undefined;
  /** Resolves once everything recorded so far was acknowledged, refused or dropped; never rejects. */
  flush(options?: FlushOptions): Promise<FlushResult>;
  /** Flushes and stops sending; idempotent. */
  shutdown(options?: FlushOptions): Promise<FlushResult>;
  stats(): IngestExporterStats;
}
