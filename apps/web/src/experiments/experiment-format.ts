import type { ExperimentTargetBody } from '@flywheel/spec';
import { formatCost, formatDuration, formatRatio, unknownFigure } from '../format/format-number.js';

/** A prompt × model column of a run: the ids results carry, and how people call them. */
export interface TargetColumn {
  promptId: string;
  providerId: string;
  /** "support/triage × chat-default" */
  label: string;
}

/** The key results of one target share. */
export function targetKey(target: { prompt_id: string; provider_id: string }): string {
  return `${target.prompt_id}\u0000${target.provider_id}`;
}

/** A target's name: its labels where the run gave them, else its ids. */
export function targetLabel(
  target: Pick<ExperimentTargetBody, 'prompt_id' | 'provider_id'> & Partial<ExperimentTargetBody>,
): string {
  return `${target.prompt_label || target.prompt_id} × ${target.provider_label || target.provider_id}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** When something happened, in local time: "Nov 21, 2026, 9:30 AM". */
export function formatDateTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : dateTime.format(time);
}

const score = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A score in [0, 1]: "0.85". */
export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined ? unknownFigure : score.format(value);
}

/** A metric the comparison reports, as `GET /api/experiments/:a/compare/:b` names it. */
export type ComparedMetric = 'pass_rate' | 'score' | 'latency_ms' | 'cost' | (string & {});

/** What the comparison's metric names mean to a reader. */
export function metricName(metric: ComparedMetric): string {
  switch (metric) {
    case 'pass_rate':
      return 'Pass rate';
    case 'score':
      return 'Mean score';
    case 'latency_ms':
      return 'Latency (mean)';
    case 'cost':
      return 'Cost per case';
    default:
      return metric;
  }
}

/** A metric's value (A's or B's mean). */
export function formatMetricValue(metric: ComparedMetric, value: number | null | undefined): string {
  if (value === null || value === undefined) return unknownFigure;
  switch (metric) {
    case 'pass_rate':
      return formatRatio(value);
    case 'latency_ms':
      return formatDuration(value);
    case 'cost':
      return formatCost(value);
    default:
      return formatScore(value);
  }
}

/** A difference B − A with its sign: "+12.5 pts", "−40 ms", "+$0.0012", "−0.25". */
export function formatMetricDelta(metric: ComparedMetric, delta: number | null | undefined): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return unknownFigure;
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  const size = Math.abs(delta);
  switch (metric) {
    case 'pass_rate':
      return `${sign}${(size * 100).toFixed(1)} pts`;
    case 'latency_ms':
      return `${sign}${formatDuration(size)}`;
    case 'cost':
      return `${sign}${formatCost(size)}`;
    default:
      return `${sign}${formatScore(size)}`;
  }
}

/** A p-value: "p = 0.039", "p < 0.001". */
export function formatPValue(pValue: number): string {
  if (pValue < 0.001) return 'p < 0.001';
  return `p = ${pValue.toFixed(3)}`;
}
