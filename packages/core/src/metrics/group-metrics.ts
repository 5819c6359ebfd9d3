import { addCells, emptyCell, type RollupCell } from '../tracing/apply-trace-batch.js';
import { histogramPercentiles } from './latency-histogram.js';

/** How metrics are grouped. */
export type MetricsGroupBy = 'model' | 'prompt_version' | 'time';
/** Width of a time bucket. */
export type MetricsBucket = 'minute' | 'hour' | 'day';

/** Figures of one group of generations. */
export interface MetricsRow {
  /** The model, `name@version` of the prompt, or the bucket start; null when the spans named none. */
  key: string | null;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cost: number;
  unknownCostCount: number;
  latencyMs: { avg: number | null; p50: number | null; p95: number | null; p99: number | null };
}

interface Accumulator {
  key: string | null;
  cell: RollupCell;
}

/**
 * Folds per-minute rollup cells into groups, with percentiles read from the merged histograms.
 * Time groups are sorted by time; others by request count, largest first. `total` covers all.
 */
export function groupMetrics(
  cells: RollupCell[],
  groupBy: MetricsGroupBy,
  bucket: MetricsBucket,
): { rows: MetricsRow[]; total: MetricsRow } {
  const groups = new Map<string, Accumulator>();
  const total = accumulator(null);
  for (const cell of cells) {
    const key =
      groupBy === 'model'
        ? cell.model || null
        : groupBy === 'prompt_version'
          ? cell.prompt || null
          : timeKey(cell.bucket, bucket);
    const mapKey = key ?? '\u0000none';
    let group = groups.get(mapKey);
    if (!group) {
      group = accumulator(key);
      groups.set(mapKey, group);
    }
    add(group, cell);
    add(total, cell);
  }
  const rows = [...groups.values()].map(toRow);
  if (groupBy === 'time') rows.sort((a, b) => String(a.key).localeCompare(String(b.key)));
  else
    rows.sort(
      (a, b) =>
        b.requests - a.requests ||
        (a.key === null ? 1 : 0) - (b.key === null ? 1 : 0) ||
        String(a.key).localeCompare(String(b.key)),
    );
  return { rows, total: toRow(total) };
}

function timeKey(minute: string, bucket: MetricsBucket): string {
  if (bucket === 'minute') return minute;
  if (bucket === 'hour') return `${minute.slice(0, 13)}:00:00.000Z`;
  return `${minute.slice(0, 10)}T00:00:00.000Z`;
}

function accumulator(key: string | null): Accumulator {
  return { key, cell: emptyCell('') };
}

function add(into: Accumulator, cell: RollupCell): void {
  into.cell = addCells(into.cell, cell);
}

function toRow(group: Accumulator): MetricsRow {
  const [p50, p95, p99] = histogramPercentiles(group.cell.histogram, [50, 95, 99]);
  const { cell } = group;
  return {
    key: group.key,
    requests: cell.requests,
    errors: cell.errors,
    inputTokens: cell.inputTokens,
    outputTokens: cell.outputTokens,
    cost: Math.round(cell.cost * 1e9) / 1e9,
    unknownCostCount: cell.unknownCostCount,
    latencyMs: {
      avg: cell.latencyCount > 0 ? Math.round((cell.latencySum / cell.latencyCount) * 1000) / 1000 : null,
      p50: p50 ?? null,
      p95: p95 ?? null,
      p99: p99 ?? null,
    },
  };
}
