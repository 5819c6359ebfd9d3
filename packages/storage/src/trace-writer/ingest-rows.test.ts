import type { TraceWriteBatch } from '@flywheel/core';
import { describe, expect, it } from 'vitest';
import { type IngestRow, ingestMerges, ingestRowText, rowBatches } from './ingest-rows.js';

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

const eventsOf = (batches: TraceWriteBatch[]) =>
  batches.reduce((sum, b) => sum + b.traces.length + b.spans.length, 0);

function row(id: number, batches: TraceWriteBatch[]): IngestRow {
  return { id, count: eventsOf(batches), data: Buffer.from(ingestRowText(batches)) };
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
    const merges = [...ingestMerges(rows, new Map(), () => {}, 20)];
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
      expect(spanIds(ingestMerges(rows, new Map(), () => {}, size))).toEqual(all);
  });

  it('reads rows in the format before 2026-12-07 (one JSON array)', () => {
    const batches = [batch('p1', 't1', 3), batch('p1', 't2', 3)];
    const legacy = { id: 9, count: 8, data: Buffer.from(JSON.stringify(batches)) };
    expect([...rowBatches(legacy.data)]).toEqual(batches);
    expect([...rowBatches(row(9, batches).data)]).toEqual(batches);
    expect(spanIds(ingestMerges([legacy], new Map(), () => {}))).toEqual(spanIds(batches));
  });

  it('keeps line breaks inside values within their batch', () => {
    const multiline = batch('p1', 't1', 1);
    multiline.spans[0]!.input = 'first line\nsecond line\r\n';
    expect([...rowBatches(row(1, [multiline, batch('p1', 't2', 1)]).data)][0]).toEqual(multiline);
  });

  it('parses a row a batch at a time, when the merge reaches it', () => {
    const broken = { id: 2, count: 10, data: Buffer.from('not json') };
    const reported: number[] = [];
    const merges = ingestMerges([rows[0]!, broken, rows[2]!], new Map(), (r) => reported.push(r.id), 20);
    expect((merges.next().value as TraceWriteBatch).traces.map((t) => t.id)).toEqual(['t1', 't2']);
    expect(reported).toEqual([]);
    merges.next();
    expect(reported).toEqual([2]);
  });

  it('gives the batches before a bad line, reports the rest once, and gives the same in a second pass', () => {
    const good = [batch('p1', 'g1', 4), batch('p1', 'g2', 4)];
    const after = batch('p1', 'g3', 4);
    const torn: IngestRow = {
      id: 2,
      count: eventsOf([...good, after]) + 7,
      data: Buffer.from(`${ingestRowText(good)}\n{"cut\n${JSON.stringify(after)}`),
    };
    const readable = new Map<number, number>();
    const reported: Array<[number, number]> = [];
    const report = (r: IngestRow, lost: number) => reported.push([r.id, lost]);
    const rowsWithTorn = [rows[0]!, torn, rows[2]!];
    const first = spanIds(ingestMerges(rowsWithTorn, readable, report));
    const second = spanIds(ingestMerges(rowsWithTorn, readable, report, 1));
    // The torn row held 10 + 7 + 5 events; the 10 before the bad line are kept.
    expect(reported).toEqual([[2, 12]]);
    expect(first).toEqual(second);
    expect(first).toContain('g2-s3');
    expect(first).not.toContain('g3-s0');
    expect(first).toHaveLength(all.length - 9 + 8);
  });
});
