import {
  addToHistogram,
  histogramPercentiles,
  type LatencyHistogram,
} from '../../metrics/latency-histogram.js';
import type { EvalCaseResult } from './eval-result.js';

/** Figures of one prompt × provider (or of the whole run). Counts only: nothing grows per case. */
export interface EvalSummaryRow {
  promptId: string;
  providerId: string;
  results: number;
  passed: number;
  failed: number;
  errored: number;
  /** Sum of case scores, for the mean. */
  scoreSum: number;
  inputTokens: number;
  outputTokens: number;
  /** US dollars over results with a known cost. */
  cost: number;
  unknownCostCount: number;
  cachedCount: number;
  /** Log-bucketed latencies of uncached calls. */
  latency: LatencyHistogram;
}

/** What a run did, built as results arrive. */
export interface EvalSummary {
  /** By `promptId\0providerId`, in order of first result. */
  rows: Map<string, EvalSummaryRow>;
  total: EvalSummaryRow;
  /** The run was stopped before every case ran. */
  cancelled: boolean;
  durationMs: number;
}

export function emptySummary(): EvalSummary {
  return { rows: new Map(), total: emptyRow('', ''), cancelled: false, durationMs: 0 };
}

function emptyRow(promptId: string, providerId: string): EvalSummaryRow {
  return {
    promptId,
    providerId,
    results: 0,
    passed: 0,
    failed: 0,
    errored: 0,
    scoreSum: 0,
    inputTokens: 0,
    outputTokens: 0,
    cost: 0,
    unknownCostCount: 0,
    cachedCount: 0,
    latency: {},
  };
}

/** Adds one result to its row and to the total. */
export function addResultToSummary(summary: EvalSummary, result: EvalCaseResult): void {
  const key = `${result.promptId}\u0000${result.providerId}`;
  let row = summary.rows.get(key);
  if (!row) {
    row = emptyRow(result.promptId, result.providerId);
    summary.rows.set(key, row);
  }
  for (const target of [row, summary.total]) {
    target.results += 1;
    target[result.status] += 1;
    target.scoreSum += result.score;
    target.inputTokens += result.inputTokens ?? 0;
    target.outputTokens += result.outputTokens ?? 0;
    if (result.cost === null) {
      if (result.output !== null) target.unknownCostCount += 1;
    } else {
      target.cost += result.cost;
    }
    if (result.cached) target.cachedCount += 1;
    if (result.latencyMs !== undefined) addToHistogram(target.latency, result.latencyMs);
  }
}

/** A row's derived figures, for tables and reports. */
export function describeSummaryRow(row: EvalSummaryRow) {
  const [p50, p95] = histogramPercentiles(row.latency, [50, 95]);
  return {
    passRate: row.results === 0 ? null : row.passed / row.results,
    meanScore: row.results === 0 ? null : row.scoreSum / row.results,
    latencyP50Ms: p50 ?? null,
    latencyP95Ms: p95 ?? null,
  };
}
