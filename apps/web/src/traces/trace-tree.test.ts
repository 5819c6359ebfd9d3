import { describe, expect, it } from 'vitest';
import { spanNode } from './trace-fixtures.js';
import { allSpans, minBarPercent, toSpanWaterfall } from './trace-tree.js';

const trace = { start_time: '2026-11-21T10:00:00.000Z', end_time: '2026-11-21T10:00:01.000Z' };

describe('the span waterfall', () => {
  it('lists spans depth first, every level by start time (ties in the server order), with their depth', () => {
    const tree = [
      spanNode({
        id: 'pipeline',
        startMs: 0,
        endMs: 1000,
        children: [
          spanNode({ id: 'answer', startMs: 400, endMs: 900 }),
          spanNode({
            id: 'retrieve',
            startMs: 100,
            endMs: 300,
            children: [spanNode({ id: 'embed', startMs: 120, endMs: 200 })],
          }),
        ],
      }),
      spanNode({ id: 'late-root', startMs: 950, endMs: 1000 }),
      spanNode({ id: 'early-root', startMs: 0, endMs: 10 }),
    ];
    const { rows } = toSpanWaterfall(tree, trace);
    expect(rows.map((row) => `${'  '.repeat(row.depth)}${row.span.id}`)).toEqual([
      'pipeline',
      '  retrieve',
      '    embed',
      '  answer',
      'early-root',
      'late-root',
    ]);
    expect(allSpans(tree).map((span) => span.id)).toEqual([
      'pipeline',
      'answer',
      'retrieve',
      'embed',
      'late-root',
      'early-root',
    ]);
  });

  it('places every bar on the trace axis: offset and width in percent of the whole', () => {
    const tree = [
      spanNode({
        id: 'pipeline',
        startMs: 0,
        endMs: 1000,
        children: [
          spanNode({ id: 'retrieve', startMs: 100, endMs: 300 }),
          spanNode({ id: 'answer', startMs: 400, endMs: 900 }),
        ],
      }),
    ];
    const { rows, totalMs } = toSpanWaterfall(tree, trace);
    expect(totalMs).toBe(1000);
    expect(rows.map((row) => [row.span.id, row.offsetPercent, row.widthPercent, row.startOffsetMs])).toEqual([
      ['pipeline', 0, 100, 0],
      ['retrieve', 10, 20, 100],
      ['answer', 40, 50, 400],
    ]);
  });

  it('widens the axis to spans outside the trace, and keeps an instant visible', () => {
    const tree = [
      spanNode({ id: 'before', startMs: -1000, endMs: 0 }),
      spanNode({ id: 'instant', startMs: 500, endMs: 500 }),
      spanNode({ id: 'after', startMs: 1000, endMs: 3000 }),
    ];
    const { rows, totalMs } = toSpanWaterfall(tree, trace);
    expect(totalMs).toBe(4000);
    expect(rows.map((row) => [row.span.id, row.offsetPercent, row.widthPercent])).toEqual([
      ['before', 0, 25],
      ['instant', 37.5, minBarPercent],
      ['after', 50, 50],
    ]);
    expect(rows[1]!.durationMs).toBe(0);
  });

  it('draws a span still running up to the end of the axis, its duration unknown', () => {
    const tree = [
      spanNode({ id: 'done', startMs: 0, endMs: 1000 }),
      spanNode({ id: 'running', startMs: 250, endMs: null }),
    ];
    const { rows } = toSpanWaterfall(tree, { ...trace, end_time: null });
    expect(rows[1]).toMatchObject({ offsetPercent: 25, widthPercent: 75, durationMs: null });
  });

  it('fills the axis when the whole trace is one instant', () => {
    const { rows, totalMs } = toSpanWaterfall(
      [spanNode({ id: 'event', kind: 'event', startMs: 0, endMs: 0 })],
      {
        start_time: trace.start_time,
        end_time: trace.start_time,
      },
    );
    expect(totalMs).toBe(0);
    expect(rows[0]).toMatchObject({ offsetPercent: 0, widthPercent: 100 });
  });
});
