import type { SpanNodeBody, TraceDetailBody, TraceSummaryBody } from '@flywheel/spec';

/** A trace summary as `GET /api/traces` answers, with everything but the id defaulted. */
export function traceSummary(fields: Partial<TraceSummaryBody> & { id: string }): TraceSummaryBody {
  return {
    name: 'support answer',
    start_time: '2026-11-21T10:00:00.000Z',
    end_time: '2026-11-21T10:00:01.200Z',
    latency_ms: 1200,
    status: 'ok',
    user_id: null,
    session_id: null,
    tags: [],
    environment: null,
    release: null,
    span_count: 1,
    error_count: 0,
    models: ['gpt-4o-mini'],
    input_tokens: 100,
    output_tokens: 20,
    cost: 0.0012,
    unknown_cost_count: 0,
    ...fields,
  };
}

/** A span of a trace's tree; times are offsets in ms from 10:00:00 on 2026-11-21. */
export function spanNode(
  fields: Partial<SpanNodeBody> & { id: string; startMs?: number; endMs?: number | null },
): SpanNodeBody {
  const { startMs = 0, endMs = 100, ...rest } = fields;
  const at = (ms: number) => new Date(Date.parse('2026-11-21T10:00:00.000Z') + ms).toISOString();
  return {
    trace_id: 'tr_1',
    parent_id: null,
    kind: 'span',
    name: fields.id,
    start_time: at(startMs),
    end_time: endMs === null ? null : at(endMs),
    duration_ms: endMs === null ? null : endMs - startMs,
    status: 'ok',
    status_message: null,
    input: null,
    output: null,
    input_truncated: false,
    output_truncated: false,
    model: null,
    provider: null,
    usage: null,
    cost: null,
    time_to_first_token_ms: null,
    attributes: {},
    prompt: null,
    children: [],
    ...rest,
  };
}

/** A trace as `GET /api/traces/:id` answers. */
export function traceDetail(fields: Partial<TraceDetailBody> & { id: string }): TraceDetailBody {
  return {
    ...traceSummary(fields),
    input: null,
    output: null,
    metadata: {},
    spans: [],
    scores: [],
    ...fields,
  };
}
