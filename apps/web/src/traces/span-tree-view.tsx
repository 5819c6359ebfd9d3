import type { TraceDetailBody } from '@flywheel/spec';
import { useMemo } from 'react';
import { formatDuration } from '../format/format-number.js';
import { toSpanWaterfall } from './trace-tree.js';

/** Deeper spans are indented no further than this (the classes `span-depth-0` … `-8`). */
const maxIndent = 8;

/**
 * The span tree as a timing waterfall: one row per span, nested by indentation, in start order,
 * each with a bar placed on the trace's time axis. The first row is the trace itself. A row is a
 * button: choosing it shows that span (or the trace) beside the tree. Bars are SVG rects sized by
 * attributes, so no inline style is needed (the UI's CSP forbids style attributes).
 */
export function SpanTreeView({
  trace,
  selectedSpanId,
  onSelect,
}: {
  trace: TraceDetailBody;
  /** The chosen span's id; null when the trace itself is chosen. */
  selectedSpanId: string | null;
  onSelect: (spanId: string | null) => void;
}) {
  const waterfall = useMemo(() => toSpanWaterfall(trace.spans, trace), [trace]);
  const total = formatDuration(waterfall.totalMs);
  return (
    <div className="span-tree">
      <div className="span-tree-head" aria-hidden="true">
        <span>Span</span>
        <span className="span-axis">
          <span>0 ms</span>
          <span>{formatDuration(waterfall.totalMs / 2)}</span>
          <span>{total}</span>
        </span>
        <span className="span-duration">Duration</span>
      </div>
      <ol className="span-tree-list" aria-label={`Spans of the trace, over ${total}`}>
        <li>
          <button
            type="button"
            className="span-row"
            aria-pressed={selectedSpanId === null}
            onClick={() => onSelect(null)}
          >
            <span className="span-label span-depth-0">
              <span className="span-kind" data-kind="trace">
                trace
              </span>
              <span className="span-name">{trace.name || trace.id}</span>
            </span>
            <Bar offset={0} width={100} kind="trace" status={trace.status} />
            <span className="span-duration">{formatDuration(trace.latency_ms)}</span>
          </button>
        </li>
        {waterfall.rows.map((row) => (
          <li key={row.span.id} data-span-id={row.span.id} data-depth={row.depth}>
            <button
              type="button"
              className="span-row"
              aria-pressed={selectedSpanId === row.span.id}
              onClick={() => onSelect(row.span.id)}
            >
              <span className={`span-label span-depth-${Math.min(row.depth + 1, maxIndent)}`}>
                <span className="span-kind" data-kind={row.span.kind}>
                  {row.span.kind}
                </span>
                <span className="span-name">{row.span.name || row.span.id}</span>
                {row.span.status === 'error' ? <span className="span-error-mark">error</span> : null}
                {row.depth > 0 ? <span className="visually-hidden">, level {row.depth + 1}</span> : null}
              </span>
              <Bar
                offset={row.offsetPercent}
                width={row.widthPercent}
                kind={row.span.kind}
                status={row.span.status}
              />
              <span className="span-duration">
                {formatDuration(row.durationMs)}
                <span className="visually-hidden">, starting at +{formatDuration(row.startOffsetMs)}</span>
              </span>
            </button>
          </li>
        ))}
      </ol>
      {trace.spans.length === 0 ? <p className="muted">This trace has no spans yet.</p> : null}
    </div>
  );
}

function Bar({
  offset,
  width,
  kind,
  status,
}: {
  offset: number;
  width: number;
  kind: string;
  status: string;
}) {
  return (
    <svg className="span-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
      <rect
        className="span-bar"
        data-kind={kind}
        data-status={status}
        x={offset}
        y={1.5}
        width={width}
        height={7}
        rx={0.6}
      />
    </svg>
  );
}
