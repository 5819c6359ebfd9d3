import type { MetricsRow, ScoreRecord, SpanRecord, TraceRecord } from '@flywheel/core';
import type {
  MetricsRowBody,
  ScoreViewBody,
  SpanNodeBody,
  TraceDetailBody,
  TraceSummaryBody,
} from '@flywheel/spec';

/** A stored trace as `GET /api/traces` shows it. */
export function toTraceSummary(trace: TraceRecord): TraceSummaryBody {
  return {
    id: trace.id,
    name: trace.displayName,
    start_time: trace.sortTime,
    end_time: trace.endTime ?? trace.spanEndMax,
    latency_ms: trace.latencyMs,
    status: trace.displayStatus,
    user_id: trace.userId,
    session_id: trace.sessionId,
    tags: trace.tags,
    environment: trace.environment,
    release: trace.release,
    span_count: trace.spanCount,
    error_count: trace.errorCount,
    models: trace.models,
    input_tokens: trace.inputTokens,
    output_tokens: trace.outputTokens,
    cost: trace.cost,
    unknown_cost_count: trace.unknownCostCount,
  };
}

/** A trace with its span tree and scores. */
export function toTraceDetail(
  trace: TraceRecord,
  spans: SpanRecord[],
  scores: ScoreRecord[],
): TraceDetailBody {
  return {
    ...toTraceSummary(trace),
    input: trace.input,
    output: trace.output,
    metadata: trace.metadata,
    spans: spanTree(spans),
    scores: scores.map(toScoreView),
  };
}

/**
 * Nests spans under their parents (children by start time). A span whose parent never arrived
 * is shown as a root rather than hidden.
 */
export function spanTree(spans: SpanRecord[]): SpanNodeBody[] {
  const nodes = new Map<string, SpanNodeBody>();
  for (const span of spans) nodes.set(span.id, toSpanNode(span));
  const roots: SpanNodeBody[] = [];
  for (const span of spans) {
    const node = nodes.get(span.id)!;
    const parent = span.parentId === null || span.parentId === span.id ? undefined : nodes.get(span.parentId);
    if (parent && !isAncestor(node, parent, nodes)) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

// A parent chain that loops back (bad ids from a client) must not hide spans or recurse forever.
function isAncestor(node: SpanNodeBody, candidate: SpanNodeBody, nodes: Map<string, SpanNodeBody>): boolean {
  const seen = new Set<string>();
  let current: SpanNodeBody | undefined = candidate;
  while (current && !seen.has(current.id)) {
    if (current.id === node.id) return true;
    seen.add(current.id);
    current = current.parent_id === null ? undefined : nodes.get(current.parent_id);
  }
  return false;
}

function toSpanNode(span: SpanRecord): SpanNodeBody {
  return {
    id: span.id,
    trace_id: span.traceId,
    parent_id: span.parentId,
    kind: span.kind,
    name: span.name,
    start_time: span.startTime ?? span.eventTime,
    end_time: span.endTime,
    duration_ms: span.durationMs,
    status: span.status,
    status_message: span.statusMessage,
    input: span.input,
    output: span.output,
    input_truncated: span.inputTruncated,
    output_truncated: span.outputTruncated,
    model: span.model,
    provider: span.provider,
    usage: span.usage && {
      input_tokens: span.usage.inputTokens,
      output_tokens: span.usage.outputTokens,
      cached_input_tokens: span.usage.cachedInputTokens ?? null,
      reasoning_tokens: span.usage.reasoningTokens ?? null,
      estimated: span.usage.estimated,
    },
    cost: span.cost,
    time_to_first_token_ms: span.timeToFirstTokenMs,
    attributes: span.attributes,
    prompt: span.promptName === null ? null : { name: span.promptName, version: span.promptVersion ?? 0 },
    children: [],
  };
}

export function toScoreView(score: ScoreRecord): ScoreViewBody {
  return {
    id: score.id,
    trace_id: score.traceId,
    span_id: score.spanId,
    name: score.name,
    data_type: score.dataType,
    value: score.value,
    source: score.source,
    comment: score.comment,
    created_at: score.createdAt,
  };
}

export function toMetricsRow(row: MetricsRow): MetricsRowBody {
  return {
    key: row.key,
    requests: row.requests,
    errors: row.errors,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cost: row.cost,
    unknown_cost_count: row.unknownCostCount,
    latency_ms: row.latencyMs,
  };
}
