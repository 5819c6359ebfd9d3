import type { ExperimentBody, ExperimentResultBody } from '@flywheel/spec';
import { type TargetColumn, targetKey } from './experiment-format.js';

/** The figures of one prompt × model of a run. */
export interface TargetSummary {
  key: string;
  label: string;
  results: number;
  passed: number;
  failed: number;
  errored: number;
  /** Share passed; null without results. */
  passRate: number | null;
  meanScore: number | null;
  inputTokens: number;
  outputTokens: number;
  /** US dollars over results with a known cost. */
  cost: number;
  /** Results with output but no price: their cost is not in `cost`. */
  unknownCostCount: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

type Row = Record<string, unknown>;

const numberOr = <T>(value: unknown, fallback: T): number | T =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/**
 * The per-target rows of `summary.rows`, which `flywheel eval` stores when a run finishes. The
 * summary is free-form JSON (any client may finish a run with its own), so rows without a prompt
 * and model id are skipped and missing figures read as unknown. Undefined when there are none.
 */
export function summaryRows(
  experiment: ExperimentBody,
  columns: readonly TargetColumn[],
): TargetSummary[] | undefined {
  const rows = experiment.summary?.rows;
  if (!Array.isArray(rows)) return undefined;
  const labels = new Map(
    columns.map((column) => [
      targetKey({ prompt_id: column.promptId, provider_id: column.providerId }),
      column.label,
    ]),
  );
  const parsed = rows.flatMap((value): TargetSummary[] => {
    if (typeof value !== 'object' || value === null) return [];
    const row = value as Row;
    if (typeof row.prompt_id !== 'string' || typeof row.provider_id !== 'string') return [];
    const key = targetKey({ prompt_id: row.prompt_id, provider_id: row.provider_id });
    const results = numberOr(row.results, 0);
    const passed = numberOr(row.passed, 0);
    return [
      {
        key,
        label:
          labels.get(key) ??
          `${typeof row.prompt === 'string' ? row.prompt : row.prompt_id} × ${typeof row.provider === 'string' ? row.provider : row.provider_id}`,
        results,
        passed,
        failed: numberOr(row.failed, 0),
        errored: numberOr(row.errored, 0),
        passRate: numberOr(row.pass_rate, results > 0 ? passed / results : null),
        meanScore: numberOr(row.mean_score, null),
        inputTokens: numberOr(row.input_tokens, 0),
        outputTokens: numberOr(row.output_tokens, 0),
        cost: numberOr(row.cost, 0),
        unknownCostCount: numberOr(row.unknown_cost_count, 0),
        latencyP50Ms: numberOr(row.latency_p50_ms, null),
        latencyP95Ms: numberOr(row.latency_p95_ms, null),
      },
    ];
  });
  return parsed.length > 0 ? parsed : undefined;
}

/** Passed results over all results of the run's summary rows; undefined without a summary. */
export function summaryPassRate(experiment: ExperimentBody): { passed: number; results: number } | undefined {
  const rows = summaryRows(experiment, []);
  if (!rows) return undefined;
  return rows.reduce(
    (total, row) => ({ passed: total.passed + row.passed, results: total.results + row.results }),
    { passed: 0, results: 0 },
  );
}

/**
 * The same figures computed from results, for runs finished without a summary. Latency
 * percentiles are over uncached calls, as the stored summary's are.
 */
export function summarizeResults(
  results: readonly ExperimentResultBody[],
  columns: readonly TargetColumn[],
): TargetSummary[] {
  const byTarget = new Map<string, ExperimentResultBody[]>();
  for (const result of results) {
    const key = targetKey(result);
    const group = byTarget.get(key);
    if (group) group.push(result);
    else byTarget.set(key, [result]);
  }
  return columns.map((column) => {
    const key = targetKey({ prompt_id: column.promptId, provider_id: column.providerId });
    const group = byTarget.get(key) ?? [];
    const count = (status: ExperimentResultBody['status']) =>
      group.filter((result) => result.status === status).length;
    const passed = count('passed');
    const latencies = group
      .filter((result) => !result.cached && result.latency_ms !== null)
      .map((result) => result.latency_ms!)
      .sort((a, b) => a - b);
    return {
      key,
      label: column.label,
      results: group.length,
      passed,
      failed: count('failed'),
      errored: count('errored'),
      passRate: group.length > 0 ? passed / group.length : null,
      meanScore:
        group.length > 0 ? group.reduce((sum, result) => sum + result.score, 0) / group.length : null,
      inputTokens: group.reduce((sum, result) => sum + (result.input_tokens ?? 0), 0),
      outputTokens: group.reduce((sum, result) => sum + (result.output_tokens ?? 0), 0),
      cost: group.reduce((sum, result) => sum + (result.cost ?? 0), 0),
      unknownCostCount: group.filter((result) => result.cost === null && result.output !== null).length,
      latencyP50Ms: percentile(latencies, 50),
      latencyP95Ms: percentile(latencies, 95),
    };
  });
}

/** Nearest-rank percentile of sorted values; null when there are none. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}
