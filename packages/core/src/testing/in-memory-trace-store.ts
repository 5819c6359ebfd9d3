import { FlywheelError } from '@flywheel/spec';
import type { TraceQuery, TraceStore } from '../ports/trace-store.js';
import {
  applyTraceBatch,
  type RollupCell,
  rollupKey,
  type TraceBatchAccess,
} from '../tracing/apply-trace-batch.js';
import type { SpanRecord, TraceRecord } from '../tracing/span.js';
import type { ScoreRecord } from '../tracing/trace-patch.js';

/** What the in-memory trace store keeps; keys are `projectId/id`. */
export interface MemoryTraceState {
  traces: Map<string, TraceRecord>;
  spans: Map<string, SpanRecord>;
  scores: Map<string, ScoreRecord & { projectId: string }>;
  rollups: Map<string, RollupCell>;
}

export function emptyTraceState(): MemoryTraceState {
  return { traces: new Map(), spans: new Map(), scores: new Map(), rollups: new Map() };
}

export function cloneTraceState(state: MemoryTraceState): MemoryTraceState {
  return structuredClone(state);
}

/** The in-memory {@link TraceStore}: the same merge code as the SQL stores, filters in JavaScript. */
export function createMemoryTraceStore(
  current: () => MemoryTraceState,
  projectExists: (projectId: string) => boolean,
): TraceStore {
  const access: TraceBatchAccess = {
    async getSpans(projectId, ids) {
      const found = new Map<string, SpanRecord>();
      for (const id of ids) {
        const span = current().spans.get(`${projectId}/${id}`);
        if (span) found.set(id, structuredClone(span));
      }
      return found;
    },
    async getTraces(projectId, ids) {
      const found = new Map<string, TraceRecord>();
      for (const id of ids) {
        const trace = current().traces.get(`${projectId}/${id}`);
        if (trace) found.set(id, structuredClone(trace));
      }
      return found;
    },
    async getRollups(projectId, keys) {
      const found = new Map<string, RollupCell>();
      for (const key of keys) {
        const cell = current().rollups.get(`${projectId}/${rollupKey(key)}`);
        if (cell) found.set(rollupKey(key), structuredClone(cell));
      }
      return found;
    },
    async putSpans(projectId, spans) {
      for (const span of spans) current().spans.set(`${projectId}/${span.id}`, structuredClone(span));
    },
    async putTraces(projectId, traces) {
      for (const trace of traces) current().traces.set(`${projectId}/${trace.id}`, structuredClone(trace));
    },
    async putRollups(cells) {
      for (const cell of cells)
        current().rollups.set(`${cell.projectId}/${rollupKey(cell)}`, structuredClone(cell));
    },
    async putScores(projectId, scores) {
      for (const score of scores) current().scores.set(`${projectId}/${score.id}`, { ...score, projectId });
    },
  };
  return {
    async write(batch) {
      // As a foreign key would: a batch for a project that does not exist is refused whole.
      if (!projectExists(batch.projectId))
        throw new FlywheelError('internal_error', `no project ${batch.projectId} to write traces into`);
      await applyTraceBatch(access, batch);
    },
    async getTrace(projectId, traceId) {
      const trace = current().traces.get(`${projectId}/${traceId}`);
      return trace && structuredClone(trace);
    },
    async listSpans(projectId, traceId) {
      return [...current().spans.values()]
        .filter((span) => span.projectId === projectId && span.traceId === traceId)
        .sort(
          (a, b) => compare(a.startTime ?? a.eventTime, b.startTime ?? b.eventTime) || compare(a.id, b.id),
        )
        .map((span) => structuredClone(span));
    },
    async listScores(projectId, traceId) {
      return [...current().scores.values()]
        .filter((score) => score.projectId === projectId && score.traceId === traceId)
        .sort((a, b) => compare(a.createdAt, b.createdAt) || compare(a.id, b.id))
        .map(({ projectId: _, ...score }) => score);
    },
    async listTraces(projectId, query) {
      return [...current().traces.values()]
        .filter((trace) => trace.projectId === projectId && matches(trace, query, current()))
        .sort((a, b) => compare(b.sortTime, a.sortTime) || compare(b.id, a.id))
        .filter(
          (trace) =>
            !query.after ||
            trace.sortTime < query.after.sortTime ||
            (trace.sortTime === query.after.sortTime && trace.id < query.after.id),
        )
        .slice(0, query.limit)
        .map((trace) => structuredClone(trace));
    },
    async listRollups(projectId, from, to) {
      return [...current().rollups.values()]
        .filter((cell) => cell.projectId === projectId && cell.bucket >= from && cell.bucket < to)
        .map((cell) => structuredClone(cell));
    },
    async deleteOlderThan(before, limit) {
      const state = current();
      const doomed = [...state.traces.values()].filter((trace) => trace.sortTime < before).slice(0, limit);
      for (const trace of doomed) {
        state.traces.delete(`${trace.projectId}/${trace.id}`);
        for (const [key, span] of state.spans)
          if (span.projectId === trace.projectId && span.traceId === trace.id) state.spans.delete(key);
        for (const [key, score] of state.scores)
          if (score.projectId === trace.projectId && score.traceId === trace.id) state.scores.delete(key);
      }
      for (const [key, cell] of state.rollups) if (cell.bucket < before) state.rollups.delete(key);
      return doomed.length;
    },
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function matches(trace: TraceRecord, query: TraceQuery, state: MemoryTraceState): boolean {
  if (query.from && trace.sortTime < query.from) return false;
  if (query.to && trace.sortTime >= query.to) return false;
  if (query.name !== undefined && trace.displayName !== query.name) return false;
  if (query.userId !== undefined && trace.userId !== query.userId) return false;
  if (query.sessionId !== undefined && trace.sessionId !== query.sessionId) return false;
  if (query.environment !== undefined && trace.environment !== query.environment) return false;
  if (query.status !== undefined && trace.displayStatus !== query.status) return false;
  if (query.tags?.some((tag) => !trace.tags.includes(tag))) return false;
  if (query.model !== undefined && !trace.models.includes(query.model)) return false;
  if (
    query.minLatencyMs !== undefined &&
    !(trace.latencyMs !== null && trace.latencyMs >= query.minLatencyMs)
  )
    return false;
  if (
    query.maxLatencyMs !== undefined &&
    !(trace.latencyMs !== null && trace.latencyMs <= query.maxLatencyMs)
  )
    return false;
  if (query.minCost !== undefined && !(trace.cost !== null && trace.cost >= query.minCost)) return false;
  if (query.maxCost !== undefined && !(trace.cost !== null && trace.cost <= query.maxCost)) return false;
  if (query.text !== undefined) {
    const words = query.text.toLowerCase().split(/\W+/).filter(Boolean);
    const texts = [
      trace,
      ...[...state.spans.values()].filter(
        (span) => span.projectId === trace.projectId && span.traceId === trace.id,
      ),
    ].map((record) =>
      `${JSON.stringify(record.input ?? '')} ${JSON.stringify(record.output ?? '')}`.toLowerCase(),
    );
    if (!texts.some((text) => words.every((word) => new RegExp(`\\b${word}\\b`).test(text)))) return false;
  }
  return true;
}
