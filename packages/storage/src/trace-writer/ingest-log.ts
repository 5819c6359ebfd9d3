import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/** The ingestion log's file in the data dir (SQLite). */
export const ingestLogFile = 'ingest-log.db';

/** One row of the ingestion log: a group commit of ingested batches, as their JSON. */
export interface IngestLogRow {
  id: number;
  /** Events (traces, spans, scores) in the row. */
  events: number;
  data: Buffer;
}

/**
 * The ingestion log (decision 0015): a database file of its own, so the writer thread's appends
 * never wait for the trace indexer's merge transactions on the main database. WAL and
 * `synchronous=FULL`: an append is durable once it returns. Ids only grow (`autoincrement`), in
 * commit order, so a reader that has seen id N never finds a new row below it. How far the rows
 * are merged is kept in the main database (`log_positions`), in the merge's own transaction.
 */
export interface IngestLog {
  /** Appends a row and, in the same transaction, deletes the rows up to `mergedUpTo`; answers its id. */
  append(events: number, data: Buffer, mergedUpTo: number): number;
  /** The first row after `after`, if any. */
  next(after: number): IngestLogRow | undefined;
  /** The id of the last row (0 when empty). */
  last(): number;
  /** Events in the rows after `after`. */
  eventsAfter(after: number): number;
  close(): void;
}

/** Opens (creating it if needed) the ingestion log of a data dir. */
export function openIngestLog(dataDir: string, busyTimeoutMs = 5000): IngestLog {
  const database = new SqliteDatabase(join(dataDir, ingestLogFile));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  // Rows are written once and read once: a small page cache is enough.
  database.pragma('cache_size = -2048');
  database.exec(`create table if not exists ingest_log (
    id integer primary key autoincrement,
    events integer not null,
    data blob not null
  )`);
  const insert = database.prepare('insert into ingest_log (events, data) values (?, ?)');
  const removeMerged = database.prepare('delete from ingest_log where id <= ?');
  const append = database.transaction((events: number, data: Buffer, mergedUpTo: number) => {
    removeMerged.run(mergedUpTo);
    return Number(insert.run(events, data).lastInsertRowid);
  });
  const nextRow = database.prepare(
    'select id, events, data from ingest_log where id > ? order by id limit 1',
  );
  const lastRow = database.prepare('select coalesce(max(id), 0) as id from ingest_log');
  const eventsAfter = database.prepare(
    'select coalesce(sum(events), 0) as events from ingest_log where id > ?',
  );
  return {
    append: (events, data, mergedUpTo) => append(events, data, mergedUpTo),
    next: (after) => nextRow.get(after) as IngestLogRow | undefined,
    last: () => Number((lastRow.get() as { id: number }).id),
    eventsAfter: (after) => Number((eventsAfter.get(after) as { events: number }).events),
    close: () => database.close(),
  };
}
