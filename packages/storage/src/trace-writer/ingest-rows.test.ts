import type { TraceWriteBatch } from '@flywheel/core';
import { describe, expect, it } from 'vitest';
import { type IngestRow, ingestMerges } from './ingest-rows.js';

// The indexer merges a transaction's ingest log rows a few hundred events at a time, parsing each
// row only when the merge reaches it. What it merges must be every batch of every readable row,
// in order, whatever the merge size.

function batch(projectId: string, traceId: string, spans: number): TraceWriteBatch {
  return {
    projectId,
    traces: [{ id: traceId, eventTime: '2026-12-07T10:00:00.000Z', name: 'agent' }],
    spans: Array.from({ length: spans }, (_, index) => ({
      id: `${traceId}-s${index}`,
      traceId,
      eventTime: '2026-12-07T10:00:01.000Z',
      name: `step ${index}`,
    })),
    scores: [],
  };
}

function row(id: number, batches: TraceWriteBatch[]): IngestRow {
  const count = batches.reduce((sum, b) => sum + b.traces.length + b.spans.length, 0);
  return { id, count, data: Buffer.from(JSON.stringify(batches)) };
}

const spanIds = (batches: Iterable<TraceWriteBatch>) => [...batches].flatMap((b) => b.spans.map((s) => s.id));

describe('ingestMerges', () => {
  const rows = [
    row(1, [batch('p1', 't1', 9), batch('p1', 't2', 9)]),
    row(2, [batch('p1', 't3', 9)]),
    row(3, [batch('p2', 't4', 9), batch('p1', 't5', 9)]),
  ];
  const all = ['t1', 't2', 't3', 't4', 't5'].flatMap((t) =>
    Array.from({ length: 9 }, (_, i) => `${t}-s${i}`),
  );

  it('joins batches of one project into merges of about the given size, in order', () => {
    const merges = [...ingestMerges(rows, new Set(), () => {}, 20)];
    // t1+t2 reach 20 events; t3 and t4 differ in project, so t4 starts a new merge; t5 follows.
    expect(merges.map((m) => [m.projectId, m.traces.map((t) => t.id)])).toEqual([
      ['p1', ['t1', 't2']],
      ['p1', ['t3']],
      ['p2', ['t4']],
      ['p1', ['t5']],
    ]);
    expect(spanIds(merges)).toEqual(all);
  });

  it('gives the same spans in the same order for any merge size', () => {
    for (const size of [1, 10, 25, 1000])
      expect(spanIds(ingestMerges(rows, new Set(), () => {}, size))).toEqual(all);
  });

  it('parses a row only when the merge reaches it', () => {
    const broken = { id: 2, count: 10, data: Buffer.from('not json') };
    const reported: number[] = [];
    const merges = ingestMerges([rows[0]!, broken, rows[2]!], new Set(), (r) => reported.push(r.id), 20);
    expect(merges.next().value?.traces.map((t) => t.id)).toEqual(['t1', 't2']);
    expect(reported).toEqual([]);
    merges.next();
    expect(reported).toEqual([2]);
  });

  it('reports an unreadable row once and skips it in a second pass', () => {
    const broken = { id: 2, count: 10, data: Buffer.from('{"cut') };
    const skip = new Set<number>();
    const reported: number[] = [];
    const rowsWithBroken = [rows[0]!, broken, rows[2]!];
    const first = spanIds(ingestMerges(rowsWithBroken, skip, (r) => reported.push(r.id)));
    const second = spanIds(ingestMerges(rowsWithBroken, skip, (r) => reported.push(r.id), 1));
    expect(reported).toEqual([2]);
    expect(first).toEqual(second);
    expect(first).not.toContain('t3-s0');
    expect(first).toHaveLength(36);
  });
});
