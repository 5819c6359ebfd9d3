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

/** An ingest log row as the indexer reads it: its id, how many events, and their JSON. */
export interface IngestRow {
  id: number;
  count: number;
  data: Buffer;
}

/**
 * The batches of ingest log rows (each row's JSON is an array of batches), parsed one row at a
 * time when the merge reaches it and joined into merges of about {@link ingestEventsPerMerge}
 * events. A row that cannot be parsed is skipped and reported to `unreadable` once, and its id
 * added to `skip`, so a second pass over the same rows (merging batch by batch after a failure)
 * skips it without reporting it again.
 */
export function* ingestMerges(
  rows: readonly IngestRow[],
  skip: Set<number>,
  unreadable: (row: IngestRow, error: unknown) => void,
  eventsPerMerge = ingestEventsPerMerge,
): Generator<TraceWriteBatch> {
  let pending: TraceWriteBatch[] = [];
  let events = 0;
  for (const row of rows) {
    if (skip.has(row.id)) continue;
    let batches: TraceWriteBatch[];
    try {
      batches = JSON.parse(row.data.toString('utf8')) as TraceWriteBatch[];
    } catch (error) {
      skip.add(row.id);
      unreadable(row, error);
      continue;
    }
    for (const batch of batches) {
      pending.push(batch);
      events += eventsIn(batch);
      if (events >= eventsPerMerge) {
        yield* joinTraceBatches(pending);
        pending = [];
        events = 0;
      }
    }
  }
  if (pending.length > 0) yield* joinTraceBatches(pending);
}
