/** The preset ranges, ending now. */
export const timeRangePresets = [
  { id: '1h', label: 'Last hour', short: '1h', durationMs: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', short: '24h', durationMs: 86_400_000 },
  { id: '7d', label: 'Last 7 days', short: '7d', durationMs: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', short: '30d', durationMs: 30 * 86_400_000 },
] as const;

export type TimeRangePresetId = (typeof timeRangePresets)[number]['id'];

/** What the user chose, as the URL holds it: `?range=24h`, or `?range=custom&from=…&to=…` (ISO). */
export type TimeRangeSelection =
  | { kind: 'preset'; preset: TimeRangePresetId }
  | { kind: 'custom'; from: Date; to: Date };

/** A selection made concrete: the instants, and the bucket that suits the span. */
export interface ResolvedTimeRange {
  from: Date;
  to: Date;
  /** Bucket width for `GET /api/metrics?group_by=time` (the server knows minute, hour and day). */
  bucket: MetricsBucket;
}

export type MetricsBucket = 'minute' | 'hour' | 'day';

export const defaultTimeRange: TimeRangeSelection = { kind: 'preset', preset: '24h' };

const bucketMs: Record<MetricsBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Reads the selection from search params; anything missing or malformed gives the default. */
export function parseTimeRange(params: URLSearchParams): TimeRangeSelection {
  const range = params.get('range');
  if (range === 'custom') {
    const from = parseInstant(params.get('from'));
    const to = parseInstant(params.get('to'));
    if (from && to && from < to) return { kind: 'custom', from, to };
    return defaultTimeRange;
  }
  const preset = timeRangePresets.find((candidate) => candidate.id === range);
  return preset ? { kind: 'preset', preset: preset.id } : defaultTimeRange;
}

/** Writes the selection into a copy of `params`, keeping every other parameter. */
export function writeTimeRange(params: URLSearchParams, selection: TimeRangeSelection): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete('from');
  next.delete('to');
  if (selection.kind === 'custom') {
    next.set('range', 'custom');
    next.set('from', selection.from.toISOString());
    next.set('to', selection.to.toISOString());
  } else {
    next.set('range', selection.preset);
  }
  return next;
}

/**
 * The instants of a selection at `now`. A preset ends at the next whole minute, so the range (and
 * every query keyed by it) stays the same for a minute instead of changing on every render.
 */
export function resolveTimeRange(selection: TimeRangeSelection, now: number): ResolvedTimeRange {
  if (selection.kind === 'custom') {
    return {
      from: selection.from,
      to: selection.to,
      bucket: bucketFor(selection.to.getTime() - selection.from.getTime()),
    };
  }
  const preset = timeRangePresets.find((candidate) => candidate.id === selection.preset)!;
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: new Date(to - preset.durationMs), to: new Date(to), bucket: bucketFor(preset.durationMs) };
}

/** About 30 to 200 points per chart: minutes up to 3 hours, hours up to 8 days, days beyond. */
export function bucketFor(spanMs: number): MetricsBucket {
  if (spanMs <= 3 * 3_600_000) return 'minute';
  if (spanMs <= 8 * 86_400_000) return 'hour';
  return 'day';
}

/**
 * Every bucket start (ms) from the one holding `from` to the one holding the last instant before
 * `to`, as the server keys them (UTC minute, hour or day).
 */
export function bucketStarts(range: ResolvedTimeRange): number[] {
  const width = bucketMs[range.bucket];
  const first = Math.floor(range.from.getTime() / width) * width;
  const starts: number[] = [];
  for (let start = first; start < range.to.getTime(); start += width) starts.push(start);
  return starts;
}

/** How a selection reads in a sentence: "Last 24 hours", or the two instants in local time. */
export function describeTimeRange(selection: TimeRangeSelection): string {
  if (selection.kind === 'preset')
    return timeRangePresets.find((preset) => preset.id === selection.preset)!.label;
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return `${format.format(selection.from)} – ${format.format(selection.to)}`;
}

/** `YYYY-MM-DDTHH:mm` in local time, the value of an `<input type="datetime-local">`. */
export function toLocalInputValue(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The instant of a `datetime-local` value (local time), or undefined when it is not one. */
export function fromLocalInputValue(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseInstant(value: string | null): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
