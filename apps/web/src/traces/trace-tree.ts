import type { SpanNodeBody } from '@flywheel/spec';

/** One line of the span tree, in display order, with its bar in the timing waterfall. */
export interface SpanRow {
  span: SpanNodeBody;
  /** 0 for a root span. */
  depth: number;
  /** Where the bar starts, in percent of the waterfall's width. */
  offsetPercent: number;
  /** How wide the bar is, in percent (at least {@link minBarPercent}, so an instant still shows). */
  widthPercent: number;
  /** Milliseconds from the start of the waterfall to the span's start. */
  startOffsetMs: number;
  /** The span's duration, or null while it has no end. */
  durationMs: number | null;
}

/** The waterfall of a trace: its rows and the window they are drawn against. */
export interface SpanWaterfall {
  rows: SpanRow[];
  /** Milliseconds from the first start to the last end (0 when everything is an instant). */
  totalMs: number;
}

export const minBarPercent = 0.5;

/**
 * Flattens the span tree depth first (a span, then its children), every level ordered by start
 * time, and places each span on a shared time axis running from the earliest start (of the
 * trace or any span) to the latest end. A span without an end is drawn up to the end of the
 * window; its duration stays unknown.
 */
export function toSpanWaterfall(
  spans: readonly SpanNodeBody[],
  trace: { start_time: string; end_time: string | null },
): SpanWaterfall {
  const ordered: Array<{ span: SpanNodeBody; depth: number }> = [];
  const visit = (nodes: readonly SpanNodeBody[], depth: number) => {
    for (const span of byStartTime(nodes)) {
      ordered.push({ span, depth });
      visit(span.children, depth + 1);
    }
  };
  visit(spans, 0);

  const starts = [time(trace.start_time), ...ordered.map(({ span }) => time(span.start_time))].filter(
    Number.isFinite,
  );
  const ends = [
    trace.end_time === null ? Number.NaN : time(trace.end_time),
    ...ordered.map(({ span }) => spanEnd(span)),
  ].filter(Number.isFinite);
  const windowStart = Math.min(...starts);
  const windowEnd = Math.max(windowStart, ...starts, ...ends);
  const totalMs = windowEnd - windowStart;

  const rows = ordered.map(({ span, depth }): SpanRow => {
    const start = time(span.start_time);
    const end = spanEnd(span);
    const durationMs = span.duration_ms ?? (Number.isFinite(end) ? end - start : null);
    const startOffsetMs = Number.isFinite(start) ? start - windowStart : 0;
    const shownEnd = Number.isFinite(end) ? end : windowEnd;
    const offsetPercent = totalMs === 0 ? 0 : (startOffsetMs / totalMs) * 100;
    const rawWidth = totalMs === 0 ? 100 : ((shownEnd - windowStart - startOffsetMs) / totalMs) * 100;
    const widthPercent = Math.min(100 - offsetPercent, Math.max(minBarPercent, rawWidth));
    return {
      span,
      depth,
      offsetPercent: round(Math.min(offsetPercent, 100 - minBarPercent)),
      widthPercent: round(Math.max(minBarPercent, widthPercent)),
      startOffsetMs,
      durationMs,
    };
  });
  return { rows, totalMs };
}

/** Every span of the tree, depth first. */
export function allSpans(spans: readonly SpanNodeBody[]): SpanNodeBody[] {
  return spans.flatMap((span) => [span, ...allSpans(span.children)]);
}

function byStartTime(nodes: readonly SpanNodeBody[]): SpanNodeBody[] {
  // A stable sort: spans starting together keep the server's order.
  return [...nodes].sort((a, b) => (time(a.start_time) || 0) - (time(b.start_time) || 0));
}

function spanEnd(span: SpanNodeBody): number {
  if (span.end_time !== null) return time(span.end_time);
  return span.duration_ms === null ? Number.NaN : time(span.start_time) + span.duration_ms;
}

function time(iso: string): number {
  return Date.parse(iso);
}

function round(percent: number): number {
  return Math.round(percent * 100) / 100;
}
