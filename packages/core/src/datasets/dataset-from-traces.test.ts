import { describe, expect, it } from 'vitest';
import type { SpanRecord, TraceRecord } from '../tracing/span.js';
import { itemFromTrace, traceItemNeedsSpans } from './dataset-from-traces.js';

function trace(overrides: Partial<TraceRecord> = {}): TraceRecord {
  return {
    id: 'tr-1',
    projectId: 'proj_1',
    name: 'triage',
    startTime: null,
    endTime: null,
    status: null,
    userId: null,
    sessionId: null,
    tags: [],
    metadata: {},
    environment: null,
    release: null,
    input: null,
    output: null,
    eventTime: '2026-01-01T00:00:00.000Z',
    rootName: null,
    spanStartMin: null,
    spanEndMax: null,
    spanCount: 0,
    errorCount: 0,
    inputTokens: 0,
    outputTokens: 0,
    cost: null,
    unknownCostCount: 0,
    models: [],
    sortTime: '2026-01-01T00:00:00.000Z',
    displayName: 'triage',
    displayStatus: 'ok',
    latencyMs: null,
    ...overrides,
  };
}

function generation(id: string, overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    id,
    projectId: 'proj_1',
    traceId: 'tr-1',
    parentId: null,
    kind: 'generation',
    name: 'chat',
    startTime: null,
    endTime: null,
    durationMs: null,
    status: 'ok',
    statusMessage: null,
    input: null,
    output: null,
    inputTruncated: false,
    outputTruncated: false,
    model: null,
    provider: null,
    usage: null,
    cost: null,
    timeToFirstTokenMs: null,
    attributes: {},
    promptName: null,
    promptVersion: null,
    eventTime: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const defaults = { inputFrom: 'trace_input', expectedFrom: 'trace_output' } as const;

describe('itemFromTrace', () => {
  it('takes the trace input as variables and its output as the expected output', () => {
    const made = itemFromTrace(
      trace({ input: { ticket: 'refund?' }, output: 'billing', tags: ['prod'], environment: 'production' }),
      [],
      defaults,
    );
    expect(made).toEqual({
      ok: true,
      item: {
        id: 'tr-1',
        input: { ticket: 'refund?' },
        expectedOutput: 'billing',
        metadata: { trace_name: 'triage', tags: ['prod'], environment: 'production' },
        sourceTraceId: 'tr-1',
        sourceSpanId: null,
      },
    });
    expect(traceItemNeedsSpans(trace({ input: { a: 1 }, output: 'x' }), defaults)).toBe(false);
  });

  it('falls back to the first generation for the input and the last for the output', () => {
    const spans = [
      generation('g1', { input: [{ role: 'user', content: 'hi' }], output: 'first' }),
      generation('tool', { kind: 'tool', input: { q: 1 }, output: 'tool out' }),
      generation('g2', { input: 'second', output: 'last' }),
    ];
    expect(traceItemNeedsSpans(trace(), defaults)).toBe(true);
    const made = itemFromTrace(trace(), spans, defaults);
    expect(made).toMatchObject({
      ok: true,
      item: {
        input: { input: [{ role: 'user', content: 'hi' }] },
        expectedOutput: 'last',
        sourceSpanId: 'g1',
      },
    });
  });

  it('reads the generation input when asked, and no expected output with none', () => {
    const made = itemFromTrace(
      trace({ input: { ignored: true }, output: 'ignored' }),
      [generation('g1', { input: { question: 'why?' } })],
      { inputFrom: 'generation_input', expectedFrom: 'none' },
    );
    expect(made).toMatchObject({ ok: true, item: { input: { question: 'why?' }, expectedOutput: null } });
  });

  it('refuses traces without an input, or with one cut at ingestion', () => {
    expect(itemFromTrace(trace(), [], defaults)).toEqual({
      ok: false,
      message: 'the trace has no input and no generation span with an input',
    });
    expect(
      itemFromTrace(trace({ input: { x: 1 } }), [], { inputFrom: 'generation_input', expectedFrom: 'none' }),
    ).toMatchObject({ ok: false });
    expect(itemFromTrace(trace({ input: { truncated: true, preview: '{"a' } }), [], defaults)).toMatchObject({
      ok: false,
      message: expect.stringContaining('payload size cap'),
    });
    expect(
      itemFromTrace(trace(), [generation('g1', { input: { a: 1 }, inputTruncated: true })], defaults),
    ).toMatchObject({ ok: false });
  });
});
