import type { IngestEvent, SpanBody, TraceBody } from '@flywheel/spec';
import { type ContextManager, createStackContextManager } from './context-manager.js';
import {
  createIngestExporter,
  type IngestExporter,
  type IngestExporterOptions,
  type IngestExporterStats,
} from './ingest-exporter.js';

/** What a span is. */
export type SpanKind = 'span' | 'generation' | 'retrieval' | 'tool' | 'event';

/** Token counts of a generation. */
export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

/** Fields a span can set at start, update or end. */
export interface SpanFields {
  name?: string;
  input?: unknown;
  output?: unknown;
  model?: string;
  provider?: string;
  usage?: TokenUsage;
  /** USD; leave out to let the server price the usage. */
  cost?: number | null;
  timeToFirstTokenMs?: number;
  attributes?: Record<string, unknown>;
  status?: 'ok' | 'error';
  statusMessage?: string;
  prompt?: { name: string; version: number };
}

/** Options of a new span. */
export interface SpanOptions extends SpanFields {
  name: string;
  kind?: SpanKind;
  /** Nest under this span or trace instead of the current one. */
  parent?: SpanHandle | TraceHandle;
}

/** Options of a new trace. */
export interface TraceOptions {
  name: string;
  input?: unknown;
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  /** Reuse an id (e.g. from an upstream service). */
  id?: string;
}

/** A started span. */
export interface SpanHandle {
  readonly id: string;
  readonly traceId: string;
  readonly sampled: boolean;
  update(fields: SpanFields): void;
  /** Ends the span (idempotent: later calls are ignored). */
  end(fields?: SpanFields): void;
  /** Starts a child span. */
  span(options: Omit<SpanOptions, 'parent'>): SpanHandle;
}

/** A started trace. */
export interface TraceHandle {
  readonly id: string;
  readonly traceId: string;
  readonly sampled: boolean;
  update(fields: Partial<TraceOptions> & { output?: unknown }): void;
  end(fields?: { output?: unknown; status?: 'ok' | 'error' }): void;
  span(options: Omit<SpanOptions, 'parent'>): SpanHandle;
}

/** Options of {@link createFlywheelTracer}. */
export interface FlywheelTracerOptions extends Omit<IngestExporterOptions, 'fetch'> {
  fetch?: typeof globalThis.fetch;
  /** Redacts inputs, outputs, metadata and attributes before anything leaves the process. */
  mask?: (value: unknown) => unknown;
  /** Share of traces recorded, 0–1 (default 1); a trace's spans follow its decision. */
  sampleRate?: number;
  /** Set on every trace. */
  environment?: string;
  release?: string;
  /** Where the current span is kept (default: a synchronous stack; the Node entry point uses AsyncLocalStorage). */
  contextManager?: ContextManager<SpanHandle | TraceHandle>;
  /** Where events go (default: a batching exporter to `baseUrl`). Tests inject one. */
  exporter?: IngestExporter;
}

/** Records traces and spans of an LLM app. */
export interface FlywheelTracer {
  /** Starts a trace; with `fn`, runs it inside the trace and ends the trace with its result. */
  trace(options: TraceOptions): TraceHandle;
  trace<R>(options: TraceOptions, fn: (trace: TraceHandle) => R): R;
  /** Starts a span under the current one (or a new trace); with `fn`, runs it inside and ends the span. */
  span(options: SpanOptions): SpanHandle;
  span<R>(options: SpanOptions, fn: (span: SpanHandle) => R): R;
  /** Wraps a function so each call is a span: input = arguments, output = result, throws = error. */
  observe<A extends unknown[], R>(
    fn: (...args: A) => R,
    options?: Partial<Omit<SpanOptions, 'parent'>>,
  ): (...args: A) => R;
  /** Scores a trace or span (feedback, evaluation). */
  score(score: {
    traceId: string;
    spanId?: string;
    name: string;
    value: number | boolean | string;
    source?: 'api' | 'human' | 'eval';
    comment?: string;
  }): void;
  /** The current span or trace, if any. */
  current(): SpanHandle | TraceHandle | undefined;
  /** Resolves once everything recorded so far was acknowledged by the server. */
  flush(): Promise<void>;
  /** Flushes and stops; idempotent. */
  shutdown(): Promise<void>;
  stats(): IngestExporterStats;
}

/**
 * The tracing client. Nothing it does blocks or throws into the app: events are queued (masked
 * first) and sent in batches in the background. It never installs itself as a global
 * OpenTelemetry provider.
 *
 * @example
 * const tracer = createFlywheelTracer({ baseUrl: 'http://127.0.0.1:4000', apiKey: process.env.FLYWHEEL_API_KEY! });
 * await tracer.trace({ name: 'answer', input: question }, async () => {
 *   const docs = await tracer.span({ name: 'retrieve', kind: 'retrieval' }, () => search(question));
 *   return answer(question, docs);
 * });
 * await tracer.shutdown();
 */
export function createFlywheelTracer(options: FlywheelTracerOptions): FlywheelTracer {
  const exporter = options.exporter ?? createIngestExporter(options);
  const randomHex = createIdGenerator();
  const context = options.contextManager ?? createStackContextManager<SpanHandle | TraceHandle>();
  const sampleRate = options.sampleRate ?? 1;
  const mask = options.mask;
  const clean = <T>(value: T): T => {
    if (value === undefined || !mask) return value;
    try {
      return mask(value) as T;
    } catch {
      return '[mask failed]' as T;
    }
  };
  // Event ids only name items in the server's answer: a per-tracer prefix and a counter will do.
  const eventPrefix = randomHex(6);
  let eventCount = 0;
  const emit = (event: Omit<IngestEvent, 'id' | 'timestamp'>, timestamp = new Date().toISOString()) =>
    exporter.enqueue({ ...event, id: `${eventPrefix}-${++eventCount}`, timestamp } as IngestEvent);

  function startTrace(traceOptions: TraceOptions, sampled = Math.random() < sampleRate): TraceHandle {
    const id = traceOptions.id ?? randomHex(16);
    let ended = false;
    const handle: TraceHandle = {
      id,
      traceId: id,
      sampled,
      update(fields) {
        if (sampled) emit({ type: 'trace-update', body: traceBody(id, fields) });
      },
      end(fields = {}) {
        if (ended) return;
        ended = true;
        if (sampled)
          emit({
            type: 'trace-update',
            body: {
              ...traceBody(id, fields),
              end_time: new Date().toISOString(),
              ...(fields.status ? { status: fields.status } : {}),
            },
          });
      },
      span: (spanOptions) => startSpan({ ...spanOptions, parent: handle }),
    };
    const now = new Date().toISOString();
    if (sampled)
      emit(
        {
          type: 'trace-create',
          body: {
            ...traceBody(id, traceOptions),
            start_time: now,
            ...(options.environment ? { environment: options.environment } : {}),
            ...(options.release ? { release: options.release } : {}),
          },
        },
        now,
      );
    return handle;
  }

  function traceBody(id: string, fields: Partial<TraceOptions> & { output?: unknown }): TraceBody {
    return {
      id,
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      ...(fields.userId !== undefined ? { user_id: fields.userId } : {}),
      ...(fields.sessionId !== undefined ? { session_id: fields.sessionId } : {}),
      ...(fields.tags !== undefined ? { tags: fields.tags } : {}),
      ...(fields.metadata !== undefined ? { metadata: clean(fields.metadata) } : {}),
      ...(fields.input !== undefined ? { input: clean(fields.input) } : {}),
      ...(fields.output !== undefined ? { output: clean(fields.output) } : {}),
    };
  }

  function startSpan(spanOptions: SpanOptions): SpanHandle {
    const parent = spanOptions.parent ?? context.active();
    const trace = parent ?? startTrace({ name: spanOptions.name });
    const traceId = trace.traceId;
    const sampled = trace.sampled;
    const id = randomHex(8);
    const parentId = parent && parent.id !== parent.traceId ? parent.id : null;
    let ended = false;
    const body = (fields: SpanFields): SpanBody => spanBody(id, traceId, fields, clean);
    const handle: SpanHandle = {
      id,
      traceId,
      sampled,
      update(fields) {
        if (sampled) emit({ type: 'span-update', body: body(fields) });
      },
      end(fields = {}) {
        if (ended) return;
        ended = true;
        if (sampled)
          emit({
            type: 'span-update',
            body: { ...body(fields), end_time: new Date().toISOString(), status: fields.status ?? 'ok' },
          });
        // A span that started its own trace ends it too.
        if (!parent) trace.end({ ...(fields.output !== undefined ? { output: fields.output } : {}) });
      },
      span: (child) => startSpan({ ...child, parent: handle }),
    };
    if (sampled)
      emit({
        type: 'span-create',
        body: {
          ...body(spanOptions),
          parent_id: parentId,
          kind: spanOptions.kind ?? 'span',
          start_time: new Date().toISOString(),
        },
      });
    return handle;
  }

  /** Runs `fn` inside `handle` and ends it with the outcome (awaiting a returned promise). */
  function runInside<H extends SpanHandle | TraceHandle, R>(handle: H, fn: (handle: H) => R): R {
    const finish = (fields: { output?: unknown; status?: 'ok' | 'error'; statusMessage?: string }) =>
      (handle.end as (fields: object) => void)(fields);
    let result: R;
    try {
      result = context.with(handle, () => fn(handle));
    } catch (error) {
      finish({ status: 'error', statusMessage: describe(error) });
      throw error;
    }
    if (isPromiseLike(result)) {
      return (result as unknown as Promise<unknown>).then(
        (value) => {
          finish({ output: value, status: 'ok' });
          return value;
        },
        (error: unknown) => {
          finish({ status: 'error', statusMessage: describe(error) });
          throw error;
        },
      ) as R;
    }
    finish({ output: result, status: 'ok' });
    return result;
  }

  const tracer: FlywheelTracer = {
    trace<R>(traceOptions: TraceOptions, fn?: (trace: TraceHandle) => R) {
      const handle = startTrace(traceOptions);
      return (fn ? runInside(handle, fn) : handle) as R & TraceHandle;
    },
    span<R>(spanOptions: SpanOptions, fn?: (span: SpanHandle) => R) {
      const handle = startSpan(spanOptions);
      return (fn ? runInside(handle, fn) : handle) as R & SpanHandle;
    },
    observe(fn, observeOptions = {}) {
      return (...args) =>
        tracer.span(
          { name: fn.name || 'function', ...observeOptions, input: observeOptions.input ?? args },
          () => fn(...args),
        );
    },
    score(score) {
      emit({
        type: 'score-create',
        body: {
          id: randomHex(8),
          trace_id: score.traceId,
          ...(score.spanId ? { span_id: score.spanId } : {}),
          name: score.name,
          value: score.value,
          source: score.source ?? 'api',
          ...(score.comment !== undefined ? { comment: score.comment } : {}),
        },
      });
    },
    current: () => context.active(),
    flush: () => exporter.flush(),
    shutdown: () => exporter.shutdown(),
    stats: () => exporter.stats(),
  };
  return tracer;
}

function spanBody(id: string, traceId: string, fields: SpanFields, clean: <T>(value: T) => T): SpanBody {
  const usage = fields.usage;
  return {
    id,
    trace_id: traceId,
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    ...(fields.input !== undefined ? { input: clean(fields.input) } : {}),
    ...(fields.output !== undefined ? { output: clean(fields.output) } : {}),
    ...(fields.model !== undefined ? { model: fields.model } : {}),
    ...(fields.provider !== undefined ? { provider: fields.provider } : {}),
    ...(usage
      ? {
          usage: {
            ...(usage.inputTokens !== undefined ? { input_tokens: usage.inputTokens } : {}),
            ...(usage.outputTokens !== undefined ? { output_tokens: usage.outputTokens } : {}),
            ...(usage.cachedInputTokens !== undefined
              ? { cached_input_tokens: usage.cachedInputTokens }
              : {}),
            ...(usage.reasoningTokens !== undefined ? { reasoning_tokens: usage.reasoningTokens } : {}),
          },
        }
      : {}),
    ...(fields.cost !== undefined ? { cost: fields.cost } : {}),
    ...(fields.timeToFirstTokenMs !== undefined ? { time_to_first_token_ms: fields.timeToFirstTokenMs } : {}),
    ...(fields.attributes !== undefined ? { attributes: clean(fields.attributes) } : {}),
    ...(fields.status !== undefined ? { status: fields.status } : {}),
    ...(fields.statusMessage !== undefined ? { status_message: fields.statusMessage } : {}),
    ...(fields.prompt !== undefined ? { prompt: fields.prompt } : {}),
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * Random lowercase hex ids from the platform's CSPRNG (Node 20 and browsers), drawn from a 4 KiB
 * pool: one getRandomValues call per id cost microseconds on the caller's path.
 */
export function createIdGenerator(): (bytes: number) => string {
  const pool = new Uint8Array(4096);
  let offset = pool.length;
  return (bytes) => {
    if (offset + bytes > pool.length) {
      globalThis.crypto.getRandomValues(pool);
      offset = 0;
    }
    let text = '';
    for (let index = offset; index < offset + bytes; index++) text += hexDigits[pool[index]!];
    offset += bytes;
    return text;
  };
}
