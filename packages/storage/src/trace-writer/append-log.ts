import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/** The ingestion log's file in the data dir (SQLite, decision 0015). */
export const ingestLogFile = 'ingest-log.db';
/** The gateway's trace log's file in the data dir (SQLite, decisions 0013 and 0018). */
export const gatewayLogFile = 'gateway-log.db';

/** One row of an append log. */
export interface LogRow {
  id: number;
  /** What the row holds: ingested events (traces, spans, scores), or gateway calls. */
  count: number;
  data: Buffer;
}

/**
 * An append log (decisions 0015 and 0018): a database file of its own, so the writer thread's
 * appends never wait for the trace indexer's transactions on the main database. WAL and
 * `synchronous=FULL`: an append is durable once it returns. Ids only grow (`autoincrement`), in
 * commit order, so a reader that has seen id N never finds a new row below it. How far the rows
 * are indexed is kept in the main database (`log_positions`), in the indexing's own transaction;
 * the writer deletes indexed rows in its next append's transaction.
 */
export interface AppendLog {
  /** Appends a row and, in the same transaction, deletes the rows up to `indexedUpTo`; answers its id. */
  append(count: number, data: Buffer, indexedUpTo: number): number;
  /** The first row after `after`, if any. */
  next(after: number): LogRow | undefined;
  /** The id of the last row (0 when empty). */
  last(): number;
  /** The sum of `count` over the rows after `after`. */
  countAfter(after: number): number;
  close(): void;
}

/** The two logs: their files, and the name of their count column (kept for existing files). */
const logs = {
  ingest: { file: ingestLogFile, table: 'ingest_log', count: 'events' },
  gateway: { file: gatewayLogFile, table: 'gateway_log', count: 'records' },
} as const;

/** Opens (creating it if needed) one of a data dir's append logs. */
export function openAppendLog(dataDir: string, log: keyof typeof logs, busyTimeoutMs = 5000): AppendLog {
  const { file, table, count } = logs[log];
  const database = new SqliteDatabase(join(dataDir, file));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  // Rows are written once and read once: a small page cache is enough.
  database.pragma('cache_size = -2048');
  database.exec(`create table if not exists ${table} (
    id integer primary key autoincrement,
    ${count} integer not null,
    data blob not null
  )`);
  const insert = database.prepare(`insert into ${table} (${count}, data) values (?, ?)`);
  const removeIndexed = database.prepare(`delete from ${table} where id <= ?`);
  const append = database.transaction((rowCount: number, data: Buffer, indexedUpTo: number) => {
    removeIndexed.run(indexedUpTo);
    return Number(insert.run(rowCount, data).lastInsertRowid);
  });
  const nextRow = database.prepare(
    `select id, ${count} as count, data from ${table} where id > ? order by id limit 1`,
  );
  const lastRow = database.prepare(`select coalesce(max(id), 0) as id from ${table}`);
  const countAfter = database.prepare(`select coalesce(sum(${count}), 0) as n from ${table} where id > ?`);
  return {
    append: (rowCount, data, indexedUpTo) => append(rowCount, data, indexedUpTo),
    next: (after) => nextRow.get(after) as LogRow | undefined,
    last: () => Number((lastRow.get() as { id: number }).id),
    countAfter: (after) => Number((countAfter.get(after) as { n: number }).n),
    close: () => database.close(),
  };
}
