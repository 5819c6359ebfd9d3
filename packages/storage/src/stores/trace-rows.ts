import type { RollupCell, ScoreRecord, SpanKind, SpanRecord, SpanStatus, TraceRecord } from '@flywheel/core';
import type { Selectable } from 'kysely';
import type { ScoresTable, SpanRollupsTable, SpansTable, TracesTable } from '../schema/database-schema.js';

// Conversions between stored rows and records, shared by the Kysely stores and the SQLite
// writer thread's prepared statements.

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export function spanRow(span: SpanRecord): Selectable<SpansTable> {
  return {
    project_id: span.projectId,
    id: span.id,
    trace_id: span.traceId,
    parent_id: span.parentId,
    kind: span.kind,
    name: span.name,
    start_time: span.startTime,
    end_time: span.endTime,
    duration_ms: span.durationMs,
    status: span.status,
    status_message: span.statusMessage,
    input: json(span.input),
    output: json(span.output),
    input_truncated: span.inputTruncated ? 1 : 0,
    output_truncated: span.outputTruncated ? 1 : 0,
    model: span.model,
    provider: span.provider,
    input_tokens: span.usage?.inputTokens ?? null,
    output_tokens: span.usage?.outputTokens ?? null,
    cached_input_tokens: span.usage?.cachedInputTokens ?? null,
    reasoning_tokens: span.usage?.reasoningTokens ?? null,
    usage_estimated: span.usage ? (span.usage.estimated ? 1 : 0) : null,
    cost: span.cost,
    time_to_first_token_ms: span.timeToFirstTokenMs,
    attributes: JSON.stringify(span.attributes),
    prompt_name: span.promptName,
    prompt_version: span.promptVersion,
    event_time: span.eventTime,
  };
}

export function toSpan(row: Selectable<SpansTable>): SpanRecord {
  const hasUsage = row.input_tokens !== null || row.output_tokens !== null;
  return {
    id: row.id,
    projectId: row.project_id,
    traceId: row.trace_id,
    parentId: row.parent_id,
    kind: row.kind as SpanKind,
    name: row.name,
    startTime: row.start_time,
    endTime: row.end_time,
    durationMs: numberOrNull(row.duration_ms),
    status: row.status as SpanStatus,
    statusMessage: row.status_message,
    input: parse(row.input),
    output: parse(row.output),
    inputTruncated: Number(row.input_truncated) === 1,
    outputTruncated: Number(row.output_truncated) === 1,
    model: row.model,
    provider: row.provider,
    usage: hasUsage
      ? {
          inputTokens: Number(row.input_tokens ?? 0),
          outputTokens: Number(row.output_tokens ?? 0),
          ...(row.cached_input_tokens === null ? {} : { cachedInputTokens: Number(row.cached_input_tokens) }),
          ...(row.reasoning_tokens === null ? {} : { reasoningTokens: Number(row.reasoning_tokens) }),
          estimated: Number(row.usage_estimated) === 1,
        }
      : null,
    cost: numberOrNull(row.cost),
    timeToFirstTokenMs: numberOrNull(row.time_to_first_token_ms),
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    promptName: row.prompt_name,
    promptVersion: numberOrNull(row.prompt_version),
    eventTime: row.event_time,
  };
}

export function traceRow(trace: TraceRecord): Selectable<TracesTable> {
  return {
    project_id: trace.projectId,
    id: trace.id,
    name: trace.name,
    start_time: trace.startTime,
    end_time: trace.endTime,
    status: trace.status,
    user_id: trace.userId,
    session_id: trace.sessionId,
    environment: trace.environment,
    release: trace.release,
    tags: JSON.stringify(trace.tags),
    metadata: JSON.stringify(trace.metadata),
    input: json(trace.input),
    output: json(trace.output),
    event_time: trace.eventTime,
    root_name: trace.rootName,
    span_start_min: trace.spanStartMin,
    span_end_max: trace.spanEndMax,
    span_count: trace.spanCount,
    error_count: trace.errorCount,
    input_tokens: trace.inputTokens,
    output_tokens: trace.outputTokens,
    cost: trace.cost,
    unknown_cost_count: trace.unknownCostCount,
    models: JSON.stringify(trace.models),
    sort_time: trace.sortTime,
    display_name: trace.displayName,
    display_status: trace.displayStatus,
    latency_ms: trace.latencyMs,
  };
}

export function toTrace(row: Selectable<TracesTable>): TraceRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    startTime: row.start_time,
    endTime: row.end_time,
    status: row.status as SpanStatus | null,
    userId: row.user_id,
    sessionId: row.session_id,
    tags: JSON.parse(row.tags) as string[],
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    environment: row.environment,
    release: row.release,
    input: parse(row.input),
    output: parse(row.output),
    eventTime: row.event_time,
    rootName: row.root_name,
    spanStartMin: row.span_start_min,
    spanEndMax: row.span_end_max,
    spanCount: Number(row.span_count),
    errorCount: Number(row.error_count),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cost: numberOrNull(row.cost),
    unknownCostCount: Number(row.unknown_cost_count),
    models: JSON.parse(row.models) as string[],
    sortTime: row.sort_time,
    displayName: row.display_name,
    displayStatus: row.display_status as SpanStatus,
    latencyMs: numberOrNull(row.latency_ms),
  };
}

export function rollupRow(cell: RollupCell): Selectable<SpanRollupsTable> {
  return {
    project_id: cell.projectId,
    bucket: cell.bucket,
    model: cell.model,
    prompt: cell.prompt,
    requests: cell.requests,
    errors: cell.errors,
    input_tokens: cell.inputTokens,
    output_tokens: cell.outputTokens,
    cost: cell.cost,
    unknown_cost_count: cell.unknownCostCount,
    latency_sum: cell.latencySum,
    latency_count: cell.latencyCount,
    histogram: JSON.stringify(cell.histogram),
  };
}

export function toRollup(row: Selectable<SpanRollupsTable>): RollupCell {
  return {
    projectId: row.project_id,
    bucket: row.bucket,
    model: row.model,
    prompt: row.prompt,
    requests: Number(row.requests),
    errors: Number(row.errors),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cost: Number(row.cost),
    unknownCostCount: Number(row.unknown_cost_count),
    latencySum: Number(row.latency_sum),
    latencyCount: Number(row.latency_count),
    histogram: JSON.parse(row.histogram) as Record<string, number>,
  };
}

export function scoreRow(projectId: string, score: ScoreRecord): Selectable<ScoresTable> {
  return {
    project_id: projectId,
    id: score.id,
    trace_id: score.traceId,
    span_id: score.spanId,
    name: score.name,
    data_type: score.dataType,
    number_value:
      typeof score.value === 'number'
        ? score.value
        : typeof score.value === 'boolean'
          ? Number(score.value)
          : null,
    string_value: typeof score.value === 'string' ? score.value : null,
    source: score.source,
    comment: score.comment,
    created_at: score.createdAt,
  };
}

export function toScore(row: Selectable<ScoresTable>): ScoreRecord {
  const dataType = row.data_type as ScoreRecord['dataType'];
  return {
    id: row.id,
    traceId: row.trace_id,
    spanId: row.span_id,
    name: row.name,
    dataType,
    value:
      dataType === 'categorical'
        ? (row.string_value ?? '')
        : dataType === 'boolean'
          ? Number(row.number_value) === 1
          : Number(row.number_value),
    source: row.source as ScoreRecord['source'],
    comment: row.comment,
    createdAt: row.created_at,
  };
}

/** Characters of input and of output that text search covers, each (bounds the indexing cost). */
export const searchedCharacters = 4000;

/**
 * The text a span or trace is found by: the string values of its input and of its output, in
 * document order, up to `searchedCharacters` of each. Not the JSON text: its keys and syntax are
 * noise ("role" and "content" in every chat), and its escapes glued letters to words (`\nword`
 * indexed as "nword", so a word after a line break could not be found). PostgreSQL indexes the
 * same values (`to_tsvector` of the `jsonb`), and migration 0008 rebuilt SQLite's index with them.
 */
export function searchBody(row: { input: string | null; output: string | null }): string {
  return searchBodyOf(parseJson(row.input), parseJson(row.output));
}

/** {@link searchBody} from the values themselves (what the writer holds before it stores them). */
export function searchBodyOf(input: unknown, output: unknown): string {
  return `${stringValues(input)} ${stringValues(output)}`;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The strings in `value` (depth first, in order), joined by spaces and cut at `searchedCharacters`. */
function stringValues(value: unknown): string {
  if (typeof value === 'string') return value.slice(0, searchedCharacters);
  if (value === null || typeof value !== 'object') return '';
  const parts: string[] = [];
  let length = 0;
  // An explicit stack (children pushed in reverse, so they come off in order): stored values
  // may nest deeper than the call stack allows.
  const stack: unknown[] = [value];
  while (stack.length > 0 && length < searchedCharacters) {
    const node = stack.pop();
    if (typeof node === 'string') {
      parts.push(node);
      length += node.length + 1;
    } else if (Array.isArray(node)) {
      for (let index = node.length - 1; index >= 0; index--) stack.push(node[index]);
    } else if (node !== null && typeof node === 'object') {
      const values = Object.values(node);
      for (let index = values.length - 1; index >= 0; index--) stack.push(values[index]);
    }
  }
  return parts.join(' ').slice(0, searchedCharacters);
}

/**
 * A user's search words as an FTS5 query: each word quoted (so operators and column filters in
 * the input mean nothing) and all of them required.
 */
export function ftsQuery(text: string): string | undefined {
  const words = text.split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
  return words.length === 0 ? undefined : words.map((word) => `"${word.replaceAll('"', '""')}"`).join(' ');
}
