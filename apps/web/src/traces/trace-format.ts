import { formatCost, formatCount, unknownFigure } from '../format/format-number.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const shortTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
});

/** An instant in the reader's time zone: `21 Nov 2026, 10:04:31`. */
export function formatTraceTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

/** An instant in a table row, without the year: `21 Nov, 10:04:31`. */
export function formatTraceTimeShort(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : shortTimeFormat.format(date);
}

/**
 * A trace's or span's cost: a dash when unknown (no price for the model), and how many
 * generations were left out of a sum when some had no price.
 */
export function formatTraceCost(row: { cost: number | null; unknown_cost_count?: number }): string {
  if (row.cost === null) return unknownFigure;
  const unpriced = row.unknown_cost_count ?? 0;
  return unpriced > 0 ? `${formatCost(row.cost)} (+${formatCount(unpriced)} unpriced)` : formatCost(row.cost);
}

/** The path of a trace's page (absolute: an id like `a:b` must not read as a URL scheme). */
export function tracePath(traceId: string): string {
  return `/traces/${encodeURIComponent(traceId)}`;
}
