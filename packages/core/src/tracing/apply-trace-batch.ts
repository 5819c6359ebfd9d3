import { type LatencyHistogram, latencyBucket, mergeHistogram } from '../metrics/latency-histogram.js';
import { emptyTrace, mergeSpan, mergeTrace } from './merge-records.js';
import type { SpanRecord, TraceRecord } from './span.js';
import type { TraceWriteBatch } from './trace-patch.js';

/**
 * Per-minute figures of generation spans, kept at write time so metrics over a day read ~1,440
 * small rows per model instead of every span. Keyed by (project, bucket, model, prompt).
 */
export interface RollupCell {
  projectId: string;
  /** Start of the minute, ISO-8601 UTC. */
  bucket: string;
  /** The model, or '' when the span named none. */
  model: string;
  /** `name@version` of the prompt, or ''. */
  prompt: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** USD over the generations with a known cost. */
  cost: number;
  unknownCostCount: number;
  latencySum: number;
  latencyCount: number;
  histogram: LatencyHistogram;
}

/** The reads and writes {@link applyTraceBatch} needs, inside one transaction. */
export interface TraceBatchAccess {
  /**
   * Serializes writers that share the database across processes (PostgreSQL): held until the
   * transaction ends. Keys come sorted, traces before rollup cells, so two writers cannot
   * deadlock. Absent where one writer owns the database (SQLite's writer thread, memory).
   */
  lock?(projectId: string, keys: string[]): Promise<void>;
  getSpans(projectId: string, ids: string[]): Promise<Map<string, SpanRecord>>;
  getTraces(projectId: string, ids: string[]): Promise<Map<string, TraceRecord>>;
  getRollups(projectId: string, keys: RollupCell[]): Promise<Map<string, RollupCell>>;
  /** Upserts whole spans; `textChanged` holds the ids whose input or output changed. */
  putSpans(projectId: string, spans: SpanRecord[], textChanged: Set<string>): Promise<void>;
  putTraces(projectId: string, traces: TraceRecord[], textChanged: Set<string>): Promise<void>;
  putRollups(cells: RollupCell[]): Promise<void>;
  putScores(projectId: string, batch: TraceWriteBatch['scores']): Promise<void>;
}

/**
 * Joins consecutive batches of one project into one, in order. A group commit of the gateway's
 * traces is hundreds of one-trace batches: applied one by one, each read and rewrote the same
 * minute's rollup cell and paid the merge's fixed costs again. Patches keep their order, so the
 * result is what applying the batches one after another gives.
 */
export function joinTraceBatches(batches: readonly TraceWriteBatch[]): TraceWriteBatch[] {
  const joined: TraceWriteBatch[] = [];
  let open: TraceWriteBatch | undefined;
  for (const batch of batches) {
    if (open && open.projectId === batch.projectId) {
      open.traces.push(...batch.traces);
      open.spans.push(...batch.spans);
      open.scores.push(...batch.scores);
      continue;
    }
    open = {
      projectId: batch.projectId,
      traces: [...batch.traces],
      spans: [...batch.spans],
      scores: [...batch.scores],
    };
    joined.push(open);
  }
  return joined;
}

/** The key of a rollup cell within a project. */
export const rollupKey = (cell: Pick<RollupCell, 'bucket' | 'model' | 'prompt'>) =>
  `${cell.bucket}\u0000${cell.model}\u0000${cell.prompt}`;

/**
 * Merges a batch of events into stored spans and traces, keeps each trace's aggregates and the
 * metric rollups in step, and writes the result. Idempotent: every aggregate is adjusted by the
 * difference between a span's stored and merged contribution, so a batch applied twice changes
 * nothing the second time (a retried ingest request leaves token and cost totals unchanged).
 */
export async function applyTraceBatch(access: TraceBatchAccess, batch: TraceWriteBatch): Promise<void> {
  const { projectId } = batch;
  // Every read-merge-write below is of rows of these traces (spans are keyed under their trace).
  const lockedTraces = [
    ...new Set([...batch.traces.map((trace) => trace.id), ...batch.spans.map((span) => span.traceId)]),
  ];
  if (access.lock && lockedTraces.length > 0)
    await access.lock(
      projectId,
      lockedTraces.sort().map((id) => `trace|${id}`),
    );
  const spanIds = [...new Set(batch.spans.map((span) => span.id))];
  const before =
    spanIds.length > 0 ? await access.getSpans(projectId, spanIds) : new Map<string, SpanRecord>();
  const after = new Map<string, SpanRecord>();
  const spanTextChanged = new Set<string>();
  for (const patch of batch.spans) {
    const current = after.get(patch.id) ?? before.get(patch.id);
    // A span stays in the trace it was first stored in: ids are unique within a project.
    const merged = mergeSpan(projectId, current, current ? { ...patch, traceId: current.traceId } : patch);
    if (patch.input !== undefined || patch.output !== undefined) spanTextChanged.add(patch.id);
    after.set(patch.id, merged);
  }

  const traceIds = new Set(batch.traces.map((trace) => trace.id));
  for (const span of after.values()) traceIds.add(span.traceId);
  const storedTraces = traceIds.size > 0 ? await access.getTraces(projectId, [...traceIds]) : new Map();
  const traces = new Map<string, TraceRecord>();
  const traceTextChanged = new Set<string>();
  const traceOf = (id: string, eventTime: string) => {
    let trace = traces.get(id) ?? storedTraces.get(id);
    if (!trace) trace = emptyTrace(projectId, id, eventTime);
    traces.set(id, trace);
    return trace;
  };
  for (const patch of batch.traces) {
    traces.set(patch.id, mergeTrace(projectId, traceOf(patch.id, patch.eventTime), patch));
    if (patch.input !== undefined || patch.output !== undefined) traceTextChanged.add(patch.id);
  }

  const rollupDeltas = new Map<string, RollupCell>();
  for (const [id, merged] of after) {
    const previous = before.get(id);
    const trace = traceOf(merged.traceId, merged.eventTime);
    if (previous) addToTrace(trace, previous, -1);
    addToTrace(trace, merged, 1);
    if (previous?.kind === 'generation') addToRollups(rollupDeltas, projectId, previous, -1);
    if (merged.kind === 'generation') addToRollups(rollupDeltas, projectId, merged, 1);
  }
  for (const trace of traces.values()) derive(trace);

  const changedSpans = [...after.values()];
  if (changedSpans.length > 0) await access.putSpans(projectId, changedSpans, spanTextChanged);
  if (traces.size > 0) await access.putTraces(projectId, [...traces.values()], traceTextChanged);
  const deltas = [...rollupDeltas.values()].filter((cell) => !isZero(cell));
  if (deltas.length > 0) {
    if (access.lock)
      await access.lock(
        projectId,
        deltas.map((cell) => `rollup|${cell.bucket}|${cell.model}|${cell.prompt}`).sort(),
      );
    const stored = await access.getRollups(projectId, deltas);
    await access.putRollups(
      deltas.map((delta) => addCells(stored.get(rollupKey(delta)) ?? emptyCell(projectId, delta), delta)),
    );
  }
  if (batch.scores.length > 0) await access.putScores(projectId, batch.scores);
}

function addToTrace(trace: TraceRecord, span: SpanRecord, sign: 1 | -1): void {
  trace.spanCount += sign;
  if (span.status === 'error') trace.errorCount += sign;
  trace.inputTokens += sign * (span.usage?.inputTokens ?? 0);
  trace.outputTokens += sign * (span.usage?.outputTokens ?? 0);
  if (span.cost !== null) trace.cost = roundCost((trace.cost ?? 0) + sign * span.cost);
  else if (span.kind === 'generation') trace.unknownCostCount += sign;
  if (sign === 1) {
    if (span.model && !trace.models.includes(span.model)) trace.models = [...trace.models, span.model];
    if (span.parentId === null && span.name && trace.rootName === null) trace.rootName = span.name;
    if (span.startTime && (trace.spanStartMin === null || span.startTime < trace.spanStartMin))
      trace.spanStartMin = span.startTime;
    if (span.endTime && (trace.spanEndMax === null || span.endTime > trace.spanEndMax))
      trace.spanEndMax = span.endTime;
  }
}

function derive(trace: TraceRecord): void {
  const start = trace.startTime ?? trace.spanStartMin;
  const end = trace.endTime ?? trace.spanEndMax;
  if (start !== null) trace.sortTime = start;
  trace.displayName = trace.name ?? trace.rootName ?? '';
  trace.displayStatus = trace.status ?? (trace.errorCount > 0 ? 'error' : 'ok');
  trace.latencyMs = start !== null && end !== null ? Math.max(0, Date.parse(end) - Date.parse(start)) : null;
}

function addToRollups(
  deltas: Map<string, RollupCell>,
  projectId: string,
  span: SpanRecord,
  sign: 1 | -1,
): void {
  const time = span.startTime ?? span.endTime ?? span.eventTime;
  const key = {
    bucket: `${time.slice(0, 16)}:00.000Z`,
    model: span.model ?? '',
    prompt: span.promptName ? `${span.promptName}@${span.promptVersion ?? ''}` : '',
  };
  const id = rollupKey(key);
  let cell = deltas.get(id);
  if (!cell) {
    cell = emptyCell(projectId, key);
    deltas.set(id, cell);
  }
  cell.requests += sign;
  if (span.status === 'error') cell.errors += sign;
  cell.inputTokens += sign * (span.usage?.inputTokens ?? 0);
  cell.outputTokens += sign * (span.usage?.outputTokens ?? 0);
  if (span.cost === null) cell.unknownCostCount += sign;
  else cell.cost += sign * span.cost;
  if (span.durationMs !== null) {
    cell.latencySum += sign * span.durationMs;
    cell.latencyCount += sign;
    // Deltas may go negative per bucket until they meet the stored cell.
    const bucket = String(latencyBucket(span.durationMs));
    const next = (cell.histogram[bucket] ?? 0) + sign;
    if (next === 0) delete cell.histogram[bucket];
    else cell.histogram[bucket] = next;
  }
}

/** A rollup cell with nothing counted yet. */
export function emptyCell(
  projectId: string,
  key: Pick<RollupCell, 'bucket' | 'model' | 'prompt'> = { bucket: '', model: '', prompt: '' },
): RollupCell {
  return {
    projectId,
    ...key,
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cost: 0,
    unknownCostCount: 0,
    latencySum: 0,
    latencyCount: 0,
    histogram: {},
  };
}

/** `base` plus `delta`, figure by figure (a new cell; `base`'s key is kept). */
export function addCells(base: RollupCell, delta: RollupCell): RollupCell {
  const histogram = { ...base.histogram };
  mergeHistogram(histogram, delta.histogram);
  return {
    ...base,
    requests: base.requests + delta.requests,
    errors: base.errors + delta.errors,
    inputTokens: base.inputTokens + delta.inputTokens,
    outputTokens: base.outputTokens + delta.outputTokens,
    cost: roundCost(base.cost + delta.cost),
    unknownCostCount: base.unknownCostCount + delta.unknownCostCount,
    latencySum: base.latencySum + delta.latencySum,
    latencyCount: base.latencyCount + delta.latencyCount,
    histogram,
  };
}

function isZero(cell: RollupCell): boolean {
  return (
    cell.requests === 0 &&
    cell.errors === 0 &&
    cell.inputTokens === 0 &&
    cell.outputTokens === 0 &&
    cell.cost === 0 &&
    cell.unknownCostCount === 0 &&
    cell.latencyCount === 0 &&
    cell.latencySum === 0 &&
    Object.keys(cell.histogram).length === 0
  );
}

// Sums of float costs drift; twelve decimals keep micro-dollar prices exact enough and totals stable.
const roundCost = (value: number) => Math.round(value * 1e12) / 1e12;
