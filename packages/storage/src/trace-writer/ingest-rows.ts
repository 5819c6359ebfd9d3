import type { TraceWriteBatch } from '@flywheel/core';
import { joinTraceBatches } from '@flywheel/core/tracing-writes';

/**
 * Events merged together (joined into one batch) within an indexing transaction, about: the
 * batches of one log row and the next are joined until they hold this many. A transaction still
 * holds up to ~2,000 events (one fsync), but only a merge's worth of them is parsed and alive at a
 * time. Parsed and merged all at once, a transaction's ~2,000 events (~20 MB of objects with
 * their merged records and rows) outlived every young-generation collection of the indexer's
 * small heap and were copied and promoted: 2.3 s of scavenges in a 7.2 s merge of 60,000 spans
 * (`bench/ingest/merge.mjs`, `--trace-gc`, 2026-12-07).
 */
export const ingestEventsPerMerge = 250;

/** Events in a batch (traces, spans and scores). */
export const eventsIn = (batch: TraceWriteBatch) =>
  batch.traces.length + batch.spans.length + batch.scores.length;

/**
 * An ingest log row's text: one line of JSON per batch (JSON escapes line breaks inside strings,
 * so a line break only ends a batch). The writer's client encodes the same lines straight into
 * its frame (`ingestFrameOf`). Rows before 2026-12-07 are one JSON array of batches;
 * {@link rowBatches} reads both.
 */
export function ingestRowText(batches: readonly TraceWriteBatch[]): string {
  return batches.map((batch) => JSON.stringify(batch)).join('\n');
}

/** What ends each batch's line in a row. */
export const lineBreak = 0x0a;
const openBracket = 0x5b;

/**
 * The batches of an ingest log row's text, each parsed when it is asked for: a row of several
 * batches never becomes one string and one tree of objects at once.
 */
export function* rowBatches(data: Uint8Array): Generator<TraceWriteBatch> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes[0] === openBracket) {
    // The format before 2026-12-07: one array.
    yield* JSON.parse(bytes.toString('utf8')) as TraceWriteBatch[];
    return;
  }
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(lineBreak, start);
    if (end < 0) end = bytes.length;
    yield JSON.parse(bytes.toString('utf8', start, end)) as TraceWriteBatch;
    start = end + 1;
  }
}

/** An ingest log row as the indexer reads it: its id, how many events, and their JSON. */
export interface IngestRow {
  id: number;
  count: number;
  data: Buffer;
}

/**
 * The batches of ingest log rows, parsed one at a time when the merge reaches them
 * ({@link rowBatches}) and joined into merges of about {@link ingestEventsPerMerge} events.
 *
 * A row with a line that cannot be parsed gives the batches before that line. The rest of the row
 * is reported to `unreadable` once, with how many events it held, and `readable` records how many
 * batches the row gave. A second pass over the same rows (merging batch by batch after a failed
 * transaction) gives the same batches again and reports nothing again.
 */
export function* ingestMerges(
  rows: readonly IngestRow[],
  readable: Map<number, number>,
  unreadable: (row: IngestRow, lostEvents: number, error: unknown) => void,
  eventsPerMerge = ingestEventsPerMerge,
): Generator<TraceWriteBatch> {
  let pending: TraceWriteBatch[] = [];
  let events = 0;
  for (const row of rows) {
    const known = readable.get(row.id);
    const batches = rowBatches(row.data);
    let given = 0;
    let rowEvents = 0;
    for (;;) {
      if (known !== undefined && given === known) break;
      let next: IteratorResult<TraceWriteBatch>;
      try {
        next = batches.next();
      } catch (error) {
        readable.set(row.id, given);
        unreadable(row, Math.max(0, row.count - rowEvents), error);
        break;
      }
      if (next.done) break;
      given += 1;
      rowEvents += eventsIn(next.value);
      pending.push(next.value);
      events += eventsIn(next.value);
      if (events >= eventsPerMerge) {
        yield* joinTraceBatches(pending);
        pending = [];
        events = 0;
      }
    }
  }
  if (pending.length > 0) yield* joinTraceBatches(pending);
}
