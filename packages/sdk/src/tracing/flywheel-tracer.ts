import type { IngestEvent } from '@flywheel/spec';
import { createStackContextManager } from './context-manager.js';
import { type Clean, describeFailure, isoTime, spanBody, timeMs, traceBody } from './event-bodies.js';
import { createIdGenerator } from './id-generator.js';
import { createIngestExporter } from './ingest-exporter.js';
import type {
  FlywheelTracer,
  FlywheelTracerOptions,
  ObservationHandle,
  OwnScoreOptions,
  ScoreOptions,
  SpanHandle,
  SpanOptions,
  TraceHandle,
  TraceOptions,
} from './tracer-types.js';

/** An event before the tracer numbers and dates it. */
type PendingEvent = Omit<IngestEvent, 'id' | 'timestamp'>;

/** Per trace or span: the time of its last event, so its events are strictly ordered. */
interface EventClock {
  lastEventMs: number;
}

/**
 * The tracing client. Nothing it does blocks or throws into the app: events are masked, then
 * queued, and sent in batches in the background; it never installs itself as a global
 * OpenTelemetry provider. In Node, import it from `@flywheel/sdk/node`, whose context manager
 * keeps nesting across `await`s; this one nests synchronous code (pass `parent` after an await).
 *
 * @example
 * const tracer = createFlywheelTracer({ baseUrl: 'http://127.0.0.1:4000', apiKey: 'fw_sk_…' });
 * const answer = await tracer.trace({ name: 'answer', input: question }, async () => {
 *   const docs = await tracer.span({ name: 'retrieve', kind: 'retrieval' }, () => search(question));
 *   return respond(question, docs);
 * });
 * await tracer.shutdown(); // resolves once the server acknowledged everything
 */
export function createFlywheelTracer(options: FlywheelTracerOptions): FlywheelTracer {
  const exporter = options.exporter ?? createIngestExporter(options);
  const randomHex = createIdGenerator();
  const context = options.contextManager ?? createStackContextManager<SpanHandle | TraceHandle>();
  const sampleRate = Math.min(1, Math.max(0, options.sampleRate ?? 1));
  const mask = options.mask;
  const clean: Clean = (value) => {
    if (value === undefined || !mask) return value;
    try {
      return mask(value) as typeof value;
    } catch {
      // Never send what the mask was meant to hide.
      return '[mask failed]' as typeof value;
    }
  };
  // Event ids only name items in the server's per-item answer: a random per-tracer prefix and a
  // counter are unique and cost nothing on the caller's path.
  const eventPrefix = randomHex(6);
  let eventCount = 0;

  /**
   * Queues an event dated now, but strictly after the previous event of the same trace or span:
   * the server lets the later event win a field, so an `end()` in the same millisecond as the
   * start must still date after it.
   */
  function emit(clock: EventClock, event: PendingEvent) {
    const now = Date.now();
    const at = now > clock.lastEventMs ? now : clock.lastEventMs + 1;
    clock.lastEventMs = at;
    exporter.enqueue({
      ...event,
      id: `${eventPrefix}-${++eventCount}`,
      timestamp: new Date(at).toISOString(),
    } as IngestEvent);
  }

  function startTrace(traceOptions: TraceOptions, sampled = Math.random() < sampleRate): TraceHandle {
    const id = traceOptions.id ?? randomHex(16);
    const clock: EventClock = { lastEventMs: 0 };
    let ended = false;
    const handle: TraceHandle = {
      id,
      traceId: id,
      sampled,
      ...childFactories(() => handle),
      update(fields) {
        if (sampled) emit(clock, { type: 'trace-update', body: traceBody(id, fields, clean) });
      },
      end(fields = {}) {
        if (ended) return;
        ended = true;
        if (!sampled) return;
        const body = traceBody(id, fields, clean);
        body.end_time = isoTime(fields.endTime);
        if (fields.status !== undefined) body.status = fields.status;
        emit(clock, { type: 'trace-update', body });
      },
    };
    if (sampled) {
      const body = traceBody(id, traceOptions, clean);
      body.start_time = isoTime(traceOptions.startTime);
      if (options.environment !== undefined) body.environment = options.environment;
      if (options.release !== undefined) body.release = options.release;
      emit(clock, { type: 'trace-create', body });
    }
    return handle;
  }

  function startSpan(spanOptions: SpanOptions): SpanHandle {
    const parent = spanOptions.parent ?? context.active();
    // A span with nowhere to nest starts a trace of its own, named after it, and ends it.
    const trace = parent ?? startTrace({ name: spanOptions.name });
    const traceId = trace.traceId;
    const sampled = trace.sampled;
    const id = randomHex(8);
    const parentId = parent && parent.id !== parent.traceId ? parent.id : null;
    const kind = spanOptions.kind ?? 'span';
    const startedAtMs = timeMs(spanOptions.startTime);
    const clock: EventClock = { lastEventMs: 0 };
    let ended = false;
    const handle: SpanHandle = {
      id,
      traceId,
      sampled,
      kind,
      parentId,
      ...childFactories(() => handle),
      update(fields) {
        if (sampled) emit(clock, { type: 'span-update', body: spanBody(id, traceId, fields, clean) });
      },
      markFirstToken() {
        if (sampled) handle.update({ timeToFirstTokenMs: Math.max(0, Date.now() - startedAtMs) });
      },
      end(fields = {}) {
        if (ended) return;
        ended = true;
        const failed = fields.error !== undefined;
        const status = fields.status ?? (failed ? 'error' : 'ok');
        if (sampled) {
          const body = spanBody(id, traceId, fields, clean);
          body.end_time = isoTime(fields.endTime);
          body.status = status;
          if (failed && fields.statusMessage === undefined)
            body.status_message = describeFailure(fields.error);
          emit(clock, { type: 'span-update', body });
        }
        if (!parent) trace.end({ ...(fields.output !== undefined ? { output: fields.output } : {}), status });
      },
    };
    if (sampled) {
      const { parent: _parent, kind: _kind, startTime: _startTime, ...fields } = spanOptions;
      const body = spanBody(id, traceId, fields, clean);
      body.parent_id = parentId;
      body.kind = kind;
      body.start_time = new Date(startedAtMs).toISOString();
      emit(clock, { type: 'span-create', body });
    }
    return handle;
  }

  /** Starts a span and, given `fn`, runs `fn` inside it. */
  function spanWith(spanOptions: SpanOptions, fn?: (span: SpanHandle) => unknown): unknown {
    const handle = startSpan(spanOptions);
    return fn ? runInside(handle, () => fn(handle)) : handle;
  }

  /** `span`, `generation` and `score` of a handle: children nest under it whatever the context. */
  function childFactories(
    self: () => SpanHandle | TraceHandle,
  ): Pick<ObservationHandle, 'span' | 'generation' | 'score'> {
    return {
      span: ((spanOptions: SpanOptions, fn?: (span: SpanHandle) => unknown) =>
        spanWith({ ...spanOptions, parent: self() }, fn)) as ObservationHandle['span'],
      generation: ((spanOptions: SpanOptions, fn?: (span: SpanHandle) => unknown) =>
        spanWith(
          { ...spanOptions, kind: 'generation', parent: self() },
          fn,
        )) as ObservationHandle['generation'],
      score(score: OwnScoreOptions) {
        const handle = self();
        // A trace sampled out sends nothing, its scores included.
        if (!handle.sampled) return score.id ?? randomHex(8);
        const spanId = handle.id === handle.traceId ? {} : { spanId: handle.id };
        return sendScore({ ...score, traceId: handle.traceId, ...spanId });
      },
    };
  }

  function sendScore(score: ScoreOptions): string {
    const id = score.id ?? randomHex(8);
    const body: Extract<IngestEvent, { type: 'score-create' }>['body'] = {
      id,
      trace_id: score.traceId,
      name: score.name,
      value: score.value,
      source: score.source ?? 'api',
      timestamp: new Date().toISOString(),
    };
    if (score.spanId !== undefined) body.span_id = score.spanId;
    if (score.comment !== undefined) body.comment = score.comment;
    emit({ lastEventMs: 0 }, { type: 'score-create', body });
    return id;
  }

  /**
   * Runs `fn` inside `handle` and ends it with the outcome. A returned promise (or thenable) is
   * observed, not replaced: the caller gets the very object `fn` returned, so subclasses such as
   * the openai client's APIPromise keep their methods.
   */
  function runInside<R>(handle: SpanHandle | TraceHandle, fn: () => R, captureOutput = true): R {
    const succeed = (value: unknown) =>
      handle.end(captureOutput && value !== undefined ? { output: value, status: 'ok' } : { status: 'ok' });
    const fail = (error: unknown) =>
      'parentId' in handle ? handle.end({ error }) : handle.end({ status: 'error' });
    let result: R;
    try {
      result = context.with(handle, fn);
    } catch (error) {
      fail(error);
      throw error;
    }
    if (isPromiseLike(result)) result.then(succeed, fail);
    else succeed(result);
    return result;
  }

  const tracer: FlywheelTracer = {
    trace<R>(traceOptions: TraceOptions, fn?: (trace: TraceHandle) => R) {
      const handle = startTrace(traceOptions);
      return (fn ? runInside(handle, () => fn(handle)) : handle) as R & TraceHandle;
    },
    span: ((spanOptions: SpanOptions, fn?: (span: SpanHandle) => unknown) =>
      spanWith(spanOptions, fn)) as FlywheelTracer['span'],
    generation: ((spanOptions: SpanOptions, fn?: (span: SpanHandle) => unknown) =>
      spanWith({ ...spanOptions, kind: 'generation' }, fn)) as FlywheelTracer['generation'],
    observe(fn, observeOptions = {}) {
      const { captureInput = true, captureOutput = true, name, ...fields } = observeOptions;
      const spanName = name ?? (fn.name || 'function');
      return function observed(this: ThisParameterType<typeof fn>, ...args: Parameters<typeof fn>) {
        const span = startSpan({ ...fields, name: spanName, ...(captureInput ? { input: args } : {}) });
        return runInside(span, () => fn.apply(this, args), captureOutput);
      };
    },
    score: (score) => sendScore(score),
    current: () => context.active(),
    flush: (flushOptions) => exporter.flush(flushOptions),
    shutdown: (shutdownOptions) => exporter.shutdown(shutdownOptions),
    stats: () => exporter.stats(),
  };
  return tracer;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
