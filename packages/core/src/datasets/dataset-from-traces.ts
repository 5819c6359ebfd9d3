import type { SpanRecord, TraceRecord } from '../tracing/span.js';
import type { NewDatasetItem } from './dataset.js';

/** Where `from-traces` takes an item's input and expected output from. */
export interface TraceItemOptions {
  /** `trace_input`: the trace's input, else its first generation's; `generation_input`: the first generation's. */
  inputFrom: 'trace_input' | 'generation_input';
  /** `trace_output`: the trace's output, else its last generation's; `none`: no expected output. */
  expectedFrom: 'trace_output' | 'none';
}

/** An item made from a trace, or why none could be. */
export type TraceItemResult = { ok: true; item: NewDatasetItem } | { ok: false; message: string };

/** Whether {@link itemFromTrace} needs the trace's spans for these options. */
export function traceItemNeedsSpans(trace: TraceRecord, options: TraceItemOptions): boolean {
  return (
    options.inputFrom === 'generation_input' ||
    isEmpty(trace.input) ||
    (options.expectedFrom === 'trace_output' && isEmpty(trace.output))
  );
}

/**
 * The dataset item a trace makes: id and `source_trace_id` are the trace's id; the input is
 * an object of variables (any other JSON becomes `{"input": value}`); metadata keeps the trace's
 * name, tags and environment. Inputs cut short at ingestion are refused: a test case needs the
 * whole input.
 *
 * @example
 * const result = itemFromTrace(trace, spans, { inputFrom: 'trace_input', expectedFrom: 'trace_output' });
 */
export function itemFromTrace(
  trace: TraceRecord,
  spans: readonly SpanRecord[],
  options: TraceItemOptions,
): TraceItemResult {
  const generations = spans.filter((span) => span.kind === 'generation');
  const firstGeneration = generations[0];
  const lastGeneration = generations.at(-1);

  let input: unknown;
  let sourceSpanId: string | null = null;
  let truncated = false;
  if (options.inputFrom === 'trace_input' && !isEmpty(trace.input)) {
    input = trace.input;
    truncated = isTruncatedPayload(trace.input);
  } else if (firstGeneration && !isEmpty(firstGeneration.input)) {
    input = firstGeneration.input;
    sourceSpanId = firstGeneration.id;
    truncated = firstGeneration.inputTruncated || isTruncatedPayload(firstGeneration.input);
  } else {
    return {
      ok: false,
      message:
        options.inputFrom === 'trace_input'
          ? 'the trace has no input and no generation span with an input'
          : 'the trace has no generation span with an input',
    };
  }
  if (truncated) {
    return {
      ok: false,
      message: 'its input was cut at the payload size cap when it was ingested, so it cannot be used whole',
    };
  }

  let expectedOutput: unknown = null;
  if (options.expectedFrom === 'trace_output') {
    if (usable(trace.output, false)) expectedOutput = trace.output;
    else if (lastGeneration && usable(lastGeneration.output, lastGeneration.outputTruncated))
      expectedOutput = lastGeneration.output;
  }

  const metadata: Record<string, unknown> = { trace_name: trace.displayName };
  if (trace.tags.length > 0) metadata.tags = [...trace.tags];
  if (trace.environment !== null) metadata.environment = trace.environment;
  return {
    ok: true,
    item: {
      id: trace.id,
      input: isPlainObject(input) ? structuredClone(input) : { input: structuredClone(input) },
      expectedOutput: structuredClone(expectedOutput),
      metadata,
      sourceTraceId: trace.id,
      sourceSpanId,
    },
  };
}

/** A payload that is there and whole. */
function usable(value: unknown, truncated: boolean): boolean {
  return !isEmpty(value) && !truncated && !isTruncatedPayload(value);
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shape ingestion stores in place of a payload past the size cap. */
function isTruncatedPayload(value: unknown): boolean {
  return (
    isPlainObject(value) &&
    value.truncated === true &&
    typeof value.preview === 'string' &&
    Object.keys(value).length === 2
  );
}
