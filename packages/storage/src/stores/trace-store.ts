import type { SpanKind, SpanRecord, SpanStatus, TraceRecord, TraceStore } from '@flywheel/core';
import type { Insertable, Selectable } from 'kysely';
import type { SpansTable, TracesTable } from '../schema/database-schema.js';
import type { StorageContext } from './storage-context.js';

// Rows per INSERT statement: keeps every statement under SQLite's and PostgreSQL's bind limits.
const rowsPerStatement = 200;

/** The Kysely trace store. */
export function createTraceStore({ db, run }: StorageContext): TraceStore {
  return {
    async writeBatch(projectId, batch) {
      for (let start = 0; start < batch.traces.length; start += rowsPerStatement) {
        const rows = batch.traces
          .slice(start, start + rowsPerStatement)
          .map((trace) => traceRow(projectId, trace));
        await run(() =>
          db
            .insertInto('traces')
            .values(rows)
            .onConflict((conflict) =>
              conflict.columns(['project_id', 'id']).doUpdateSet((eb) => ({
                name: eb.ref('excluded.name'),
                end_time: eb.ref('excluded.end_time'),
                status: eb.ref('excluded.status'),
                output: eb.ref('excluded.output'),
                metadata: eb.ref('excluded.metadata'),
              })),
            )
            .execute(),
        );
      }
      for (let start = 0; start < batch.spans.length; start += rowsPerStatement) {
        const rows = batch.spans
          .slice(start, start + rowsPerStatement)
          .map((span) => spanRow(projectId, span));
        await run(() =>
          db
            .insertInto('spans')
            .values(rows)
            .onConflict((conflict) =>
              conflict.columns(['project_id', 'id']).doUpdateSet((eb) => ({
                end_time: eb.ref('excluded.end_time'),
                duration_ms: eb.ref('excluded.duration_ms'),
                status: eb.ref('excluded.status'),
                status_message: eb.ref('excluded.status_message'),
                output: eb.ref('excluded.output'),
                input_tokens: eb.ref('excluded.input_tokens'),
                output_tokens: eb.ref('excluded.output_tokens'),
                cost: eb.ref('excluded.cost'),
                attributes: eb.ref('excluded.attributes'),
              })),
            )
            .execute(),
        );
      }
    },
    async getTrace(projectId, traceId) {
      const row = await run(() =>
        db
          .selectFrom('traces')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('id', '=', traceId)
          .executeTakeFirst(),
      );
      return row && toTrace(row);
    },
    async listSpans(projectId, traceId) {
      const rows = await run(() =>
        db
          .selectFrom('spans')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('trace_id', '=', traceId)
          .orderBy('start_time')
          .orderBy('id')
          .execute(),
      );
      return rows.map(toSpan);
    },
  };
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export function traceRow(projectId: string, trace: TraceRecord): Insertable<TracesTable> {
  return {
    project_id: projectId,
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
  };
}

export function spanRow(projectId: string, span: SpanRecord): Insertable<SpansTable> {
  return {
    project_id: projectId,
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
  };
}

function toTrace(row: Selectable<TracesTable>): TraceRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    startTime: row.start_time,
    endTime: row.end_time,
    status: row.status as SpanStatus,
    userId: row.user_id,
    sessionId: row.session_id,
    tags: JSON.parse(row.tags) as string[],
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    environment: row.environment,
    release: row.release,
    input: parse(row.input),
    output: parse(row.output),
  };
}

function toSpan(row: Selectable<SpansTable>): SpanRecord {
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
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    status: row.status as SpanStatus,
    statusMessage: row.status_message,
    input: parse(row.input),
    output: parse(row.output),
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
    cost: row.cost === null ? null : Number(row.cost),
    timeToFirstTokenMs: row.time_to_first_token_ms === null ? null : Number(row.time_to_first_token_ms),
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
  };
}
