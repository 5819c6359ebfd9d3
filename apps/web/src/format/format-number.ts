/** Shown where a figure is unknown (no requests, no price). */
export const unknownFigure = '—';

const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

/** A whole number with grouping: `12,345`. */
export function formatCount(value: number): string {
  return count.format(value);
}

/** A short number for chart axes: `12K`, `3.4M`. */
export function formatCompact(value: number): string {
  return compact.format(value);
}

/** US dollars, with enough digits to tell small costs apart: `$0.0042`, `$12.50`. */
export function formatCost(usd: number): string {
  // Three significant digits below a dollar, cents above.
  const fractionDigits =
    usd !== 0 && Math.abs(usd) < 1 ? Math.min(8, Math.max(2, 2 - Math.floor(Math.log10(Math.abs(usd))))) : 2;
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: fractionDigits,
  }).format(usd);
}

/** A latency: `840 ms`, `2.31 s`; unknown as a dash. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return unknownFigure;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A share: `4.2%`; unknown (nothing to divide by) as a dash. */
export function formatRatio(ratio: number | null): string {
  return ratio === null ? unknownFigure : percent.format(ratio);
}

/** errors / requests, or null when there were no requests. */
export function errorRate(row: { requests: number; errors: number }): number | null {
  return row.requests === 0 ? null : row.errors / row.requests;
}
