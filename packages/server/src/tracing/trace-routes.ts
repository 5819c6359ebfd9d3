import { groupMetrics, scoreRecord, type TraceQuery } from '@flywheel/core';
import {
  createScoreRequestSchema,
  FlywheelError,
  metricsQuerySchema,
  type TraceListBody,
  traceListQuerySchema,
} from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app/app-deps.js';
import { requireScope } from '../app/authenticate.js';
import { parseInput } from '../app/validation.js';
import { toMetricsRow, toScoreView, toTraceDetail, toTraceSummary } from './trace-views.js';
import type { TracingDeps } from './tracing-deps.js';

const traceParams = z.strictObject({ id: z.string().min(1).max(200) });

/** `GET /api/traces`, `GET /api/traces/:id`, `GET /api/metrics`, `POST /api/scores`. */
export function registerTraceRoutes(app: FastifyInstance, deps: AppDeps, tracing: TracingDeps) {
  const traces = deps.stores.traces;

  app.get('/api/traces', async (request): Promise<TraceListBody> => {
    requireScope(request.auth, 'read');
    const query = parseInput(traceListQuerySchema, request.query, 'query');
    const filter: TraceQuery = {
      limit: query.limit + 1,
      ...(query.from ? { from: iso(query.from) } : {}),
      ...(query.to ? { to: iso(query.to) } : {}),
      ...(query.name !== undefined ? { name: query.name } : {}),
      ...(query.user_id !== undefined ? { userId: query.user_id } : {}),
      ...(query.session_id !== undefined ? { sessionId: query.session_id } : {}),
      ...(query.tags && query.tags.length > 0 ? { tags: query.tags } : {}),
      ...(query.model !== undefined ? { model: query.model } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(query.environment !== undefined ? { environment: query.environment } : {}),
      ...(query.min_latency_ms !== undefined ? { minLatencyMs: query.min_latency_ms } : {}),
      ...(query.max_latency_ms !== undefined ? { maxLatencyMs: query.max_latency_ms } : {}),
      ...(query.min_cost !== undefined ? { minCost: query.min_cost } : {}),
      ...(query.max_cost !== undefined ? { maxCost: query.max_cost } : {}),
      ...(query.q !== undefined ? { text: query.q } : {}),
      ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor) } : {}),
    };
    const rows = await traces.listTraces(request.auth.projectId, filter);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toTraceSummary),
      next_cursor: rows.length > query.limit && last ? encodeCursor(last.sortTime, last.id) : null,
    };
  });

  app.get('/api/traces/:id', async (request) => {
    requireScope(request.auth, 'read');
    const { id } = parseInput(traceParams, request.params, 'params');
    const { projectId } = request.auth;
    const trace = await traces.getTrace(projectId, id);
    if (!trace) throw new FlywheelError('trace_not_found', `No trace with id '${id}' in this project.`);
    const [spans, scores] = await Promise.all([
      traces.listSpans(projectId, id),
      traces.listScores(projectId, id),
    ]);
    return toTraceDetail(trace, spans, scores);
  });

  app.get('/api/metrics', async (request) => {
    requireScope(request.auth, 'read');
    const query = parseInput(metricsQuerySchema, request.query, 'query');
    const from = iso(query.from);
    const to = iso(query.to);
    if (from >= to)
      throw new FlywheelError('validation_failed', 'Invalid request query: from must be before to.');
    // Rollups are per minute: a range starting mid-minute includes that whole minute.
    const cells = (
      await traces.listRollups(request.auth.projectId, `${from.slice(0, 16)}:00.000Z`, to)
    ).filter(
      (cell) =>
        (query.model === undefined || cell.model === query.model) &&
        (query.prompt_version === undefined || cell.prompt === query.prompt_version),
    );
    const { rows, total } = groupMetrics(cells, query.group_by, query.bucket);
    return { from, to, group_by: query.group_by, data: rows.map(toMetricsRow), total: toMetricsRow(total) };
  });

  app.post('/api/scores', async (request, reply) => {
    requireScope(request.auth, 'ingest');
    const body = parseInput(createScoreRequestSchema, request.body, 'body');
    const { projectId } = request.auth;
    if (!(await traces.getTrace(projectId, body.trace_id)))
      throw new FlywheelError('trace_not_found', `No trace with id '${body.trace_id}' in this project.`);
    const score = scoreRecord(body, new Date().toISOString());
    await tracing.queue.submit({ projectId, traces: [], spans: [], scores: [score] }, 1);
    return reply.status(201).send(toScoreView(score));
  });
}

const iso = (time: string) => new Date(time).toISOString();

function encodeCursor(sortTime: string, id: string): string {
  return btoa(JSON.stringify([sortTime, id]))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

function decodeCursor(cursor: string): { sortTime: string; id: string } {
  try {
    const value = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string'))
      return { sortTime: value[0] as string, id: value[1] as string };
  } catch {
    // falls through to the error below
  }
  throw new FlywheelError(
    'invalid_cursor',
    'The cursor is not one this server gave out; start again without it.',
  );
}
