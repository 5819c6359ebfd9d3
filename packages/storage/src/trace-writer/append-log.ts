import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
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
  /**
   * Set when the row's bytes could not be read back (its data file is missing or damaged): `data`
   * is then empty, and the reader reports the row's `count` as lost and moves past it.
   */
  unreadable?: string;
}

/**
 * An append log (decisions 0015, 0018 and 0021): a database file of its own, so the writer
 * thread's appends never wait for the trace indexer's transactions on the main database. WAL and
 * `synchronous=FULL`: an append is durable once it returns. Ids only grow (`autoincrement`), in
 * commit order, so a reader that has seen id N never finds a new row below it. How far the rows
 * are indexed is kept in the main database (`log_positions`), in the indexing's own transaction;
 * the writer deletes indexed rows in its next append's transaction.
 *
 * A row's bytes over {@link inlineBytes} go to a data file next to the database (decision 0021),
 * written and flushed before the row that points at them commits: in the database they would be
 * written twice (the WAL, then the checkpoint), which cost the gateway's writer thread ~12 % of
 * the process's CPU with streamed calls.
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

/** Rows of at most this many bytes stay in the database (one fsync instead of two). */
export const inlineBytes = 32 * 1024;
/** A data file takes appends until it holds this many bytes; the next append starts a new one. */
const defaultDataFileBytes = 64 * 1024 * 1024;

/** The two logs: their files, and the name of their count column (kept for existing files). */
const logs = {
  ingest: { file: ingestLogFile, table: 'ingest_log', count: 'events', dataDir: 'ingest-log-data' },
  gateway: { file: gatewayLogFile, table: 'gateway_log', count: 'records', dataDir: 'gateway-log-data' },
} as const;

/** The folder (in the data dir) that holds a log's data files. */
export function appendLogDataDir(dataDir: string, log: keyof typeof logs): string {
  return join(dataDir, logs[log].dataDir);
}

interface StoredRow {
  id: number;
  count: number;
  data: Buffer | null;
  file: string | null;
  offset: number | null;
  length: number | null;
  crc: number | null;
}

/** A data file this process writes: its name, descriptor, size, and the last row that points into it. */
interface DataFile {
  name: string;
  fd: number;
  size: number;
  lastId: number;
}

let dataFileSequence = 0;
/** The data files logs of this thread have open for appending (never swept). */
const openForWriting = new Set<string>();

/** Opens (creating it if needed) one of a data dir's append logs. */
export function openAppendLog(
  dataDir: string,
  log: keyof typeof logs,
  busyTimeoutMs = 5000,
  { dataFileBytes = defaultDataFileBytes }: { dataFileBytes?: number } = {},
): AppendLog {
  const { file, table, count } = logs[log];
  const filesDir = appendLogDataDir(dataDir, log);
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
  addDataFileColumns(database, table);
  const insert = database.prepare(
    `insert into ${table} (${count}, data, file, offset, length, crc) values (?, ?, ?, ?, ?, ?)`,
  );
  const removeIndexed = database.prepare(`delete from ${table} where id <= ?`);
  const append = database.transaction(
    (rowCount: number, data: Buffer, stored: [string, number, number, number] | undefined, upTo: number) => {
      removeIndexed.run(upTo);
      const [name, offset, length, crc] = stored ?? [null, null, null, null];
      return Number(insert.run(rowCount, data, name, offset, length, crc).lastInsertRowid);
    },
  );
  const nextRow = database.prepare(
    `select id, ${count} as count, data, file, offset, length, crc from ${table} where id > ? order by id limit 1`,
  );
  const lastRow = database.prepare(`select coalesce(max(id), 0) as id from ${table}`);
  const countAfter = database.prepare(`select coalesce(sum(${count}), 0) as n from ${table} where id > ?`);
  const lastRowIn = database.prepare(`select coalesce(max(id), 0) as id from ${table} where file = ?`);

  // Written by this process: the current data file, and earlier ones not yet indexed.
  let current: DataFile | undefined;
  const written: DataFile[] = [];
  // Read by this process (the indexer): descriptors by file name.
  const reading = new Map<string, number>();
  // Data files stopped writers left (looked for at the first append), with the last row in each.
  const others: Array<{ name: string; lastId: number }> = [];
  let swept = false;

  const newDataFile = (): DataFile => {
    if (!existsSync(filesDir)) {
      mkdirSync(filesDir, { recursive: true });
      syncDirectory(dataDir);
    }
    dataFileSequence += 1;
    const name = `${process.pid}-${threadId}-${Date.now().toString(36)}-${dataFileSequence}.bin`;
    const fd = openSync(join(filesDir, name), 'wx');
    openForWriting.add(name);
    // The file's name must be durable before a committed row points at it.
    syncDirectory(filesDir);
    return { name, fd, size: 0, lastId: 0 };
  };

  /** Writes `data` to the current data file and flushes it; answers where it went. */
  const store = (data: Buffer): [string, number, number, number] => {
    if (current === undefined || current.size + data.byteLength > dataFileBytes) {
      if (current !== undefined) written.push(current);
      current = newDataFile();
    }
    const file = current;
    const offset = file.size;
    try {
      let done = 0;
      while (done < data.byteLength)
        done += writeSync(file.fd, data, done, data.byteLength - done, offset + done);
      fdatasyncSync(file.fd);
    } catch (error) {
      // After a failed write or flush, what the file holds past its last good row is unknown:
      // the next append starts a new file (this one stays until its rows are indexed).
      written.push(file);
      current = undefined;
      throw error;
    }
    file.size += data.byteLength;
    return [file.name, offset, data.byteLength, crc32(data)];
  };

  /** Closes and removes this process's earlier data files whose rows are all indexed. */
  const release = (upTo: number) => {
    for (let index = written.length - 1; index >= 0; index--) {
      const done = written[index]!;
      if (done.lastId > upTo) continue;
      written.splice(index, 1);
      closeSync(done.fd);
      openForWriting.delete(done.name);
      removeQuietly(join(filesDir, done.name));
    }
    for (let index = others.length - 1; index >= 0; index--) {
      const other = others[index]!;
      if (other.lastId > upTo) continue;
      others.splice(index, 1);
      removeQuietly(join(filesDir, other.name));
    }
  };

  /**
   * Finds the data files that writers which stopped left behind: removed at once when no row
   * points into them, else once their rows are indexed (`release`). Files another live writer
   * (process, thread or log) may still write are left alone.
   */
  const sweep = () => {
    swept = true;
    if (!existsSync(filesDir)) return;
    for (const name of readdirSync(filesDir)) {
      const [pid, thread] = name.split('-', 2).map(Number);
      if (openForWriting.has(name)) continue;
      if (pid === process.pid ? thread !== threadId : processAlive(pid!)) continue;
      // A stopped writer adds no rows: the last one pointing into its file stays the last.
      const { id } = lastRowIn.get(name) as { id: number };
      if (id === 0) removeQuietly(join(filesDir, name));
      else others.push({ name, lastId: id });
    }
  };

  const closeReading = () => {
    for (const fd of reading.values()) closeSync(fd);
    reading.clear();
  };

  const readStored = (row: StoredRow): Pick<LogRow, 'data' | 'unreadable'> => {
    const {
      file: name,
      offset,
      length,
      crc,
    } = row as { file: string; offset: number; length: number; crc: number };
    let fd = reading.get(name);
    try {
      if (fd === undefined) {
        fd = openSync(join(filesDir, name), 'r');
        // Earlier files are done with: a reader moves forward.
        closeReading();
        reading.set(name, fd);
      }
      const data = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const read = readSync(fd, data, done, length - done, offset + done);
        if (read === 0) break;
        done += read;
      }
      if (done !== length) return unreadable(`its data file ${name} ends before byte ${offset + length}`);
      if (crc32(data) !== crc) return unreadable(`its bytes in ${name} do not match their checksum`);
      return { data };
    } catch (error) {
      return unreadable(`its data file ${name} could not be read (${(error as Error).message})`);
    }
  };

  return {
    append(rowCount, data, indexedUpTo) {
      const stored = data.byteLength > inlineBytes ? store(data) : undefined;
      const id = append(rowCount, stored ? emptyData : data, stored, indexedUpTo);
      if (stored) current!.lastId = id;
      if (!swept) sweep();
      else if (written.length > 0 || others.length > 0) release(indexedUpTo);
      return id;
    },
    next(after) {
      for (;;) {
        const row = nextRow.get(after) as StoredRow | undefined;
        if (!row) {
          // Caught up: let go of the file read last, which the writer removes once it is indexed.
          closeReading();
          return undefined;
        }
        if (row.file === null) return { id: row.id, count: row.count, data: row.data! };
        const read = readStored(row);
        // A file is removed once its rows are indexed and deleted: a row deleted meanwhile is not
        // lost, and the reader goes on to the next one.
        if (read.unreadable !== undefined && (nextRow.get(after) as StoredRow | undefined)?.id !== row.id)
          continue;
        return { id: row.id, count: row.count, ...read };
      }
    },
    last: () => Number((lastRow.get() as { id: number }).id),
    countAfter: (after) => Number((countAfter.get(after) as { n: number }).n),
    close() {
      for (const file of current ? [...written, current] : written) {
        closeSync(file.fd);
        openForWriting.delete(file.name);
      }
      closeReading();
      written.length = 0;
      current = undefined;
      database.close();
    },
  };
}

const emptyData = Buffer.alloc(0);

function unreadable(reason: string): Pick<LogRow, 'data' | 'unreadable'> {
  return { data: emptyData, unreadable: reason };
}

/** Adds the columns of decision 0021 to a log table an earlier version created. */
function addDataFileColumns(database: SqliteDatabase.Database, table: string) {
  const columns = new Set(
    (database.prepare(`pragma table_info(${table})`).all() as Array<{ name: string }>).map(
      (column) => column.name,
    ),
  );
  for (const [name, type] of [
    ['file', 'text'],
    ['offset', 'integer'],
    ['length', 'integer'],
    ['crc', 'integer'],
  ] as const) {
    if (columns.has(name)) continue;
    try {
      database.exec(`alter table ${table} add column ${name} ${type}`);
    } catch (error) {
      // Another process added it first.
      if (!String(error).includes('duplicate column')) throw error;
    }
  }
}

/** Makes a directory's entries durable (Linux, macOS; Windows cannot open a directory for it). */
function syncDirectory(path: string) {
  if (process.platform === 'win32') return;
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeQuietly(path: string) {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
