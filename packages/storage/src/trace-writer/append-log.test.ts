import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendLogDataDir, inlineBytes, openAppendLog } from './append-log.js';

/** `bytes` bytes of a recognisable pattern. */
function bytesOf(bytes: number, seed: number): Buffer {
  const data = Buffer.allocUnsafe(bytes);
  for (let index = 0; index < bytes; index++) data[index] = (index * 31 + seed) % 251;
  return data;
}

describe('append log', () => {
  let dataDir: string;
  const dataFiles = () => readdirSync(appendLogDataDir(dataDir, 'ingest')).sort();

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'flywheel-append-log-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps small rows in the database and large ones in a data file, and reads both back after a reopen', () => {
    const log = openAppendLog(dataDir, 'ingest');
    const small = bytesOf(100, 1);
    const large = bytesOf(inlineBytes + 1, 2);
    const first = log.append(3, small, 0);
    const second = log.append(5, large, 0);
    log.close();
    expect(dataFiles()).toHaveLength(1);

    const again = openAppendLog(dataDir, 'ingest');
    expect(again.next(0)).toEqual({ id: first, count: 3, data: small });
    expect(again.next(first)).toEqual({ id: second, count: 5, data: large });
    expect(again.next(second)).toBeUndefined();
    expect(again.last()).toBe(second);
    expect(again.countAfter(0)).toBe(8);
    again.close();
  });

  it('starts a new data file when one is full, and removes a file once every row in it is indexed', () => {
    const log = openAppendLog(dataDir, 'ingest', 5000, { dataFileBytes: 3 * inlineBytes });
    const ids = [1, 2, 3, 4].map((seed) => log.append(1, bytesOf(inlineBytes + 10, seed), 0));
    // Two rows fit in a file: the third and fourth went to a second one.
    expect(dataFiles()).toHaveLength(2);
    log.append(1, bytesOf(10, 5), ids[0]!);
    expect(dataFiles()).toHaveLength(2);
    log.append(1, bytesOf(10, 6), ids[1]!);
    expect(dataFiles()).toHaveLength(1);
    expect(log.next(ids[1]!)?.data).toEqual(bytesOf(inlineBytes + 10, 3));
    log.close();
  });

  it('removes data files that stopped writers left, once no row needs them', () => {
    const first = openAppendLog(dataDir, 'ingest');
    const kept = first.append(1, bytesOf(inlineBytes + 1, 1), 0);
    first.close();
    const [used] = dataFiles();
    // Bytes a writer flushed before it died, with no row committed to point at them.
    const orphan = `${process.pid}-${threadId}-0-0.bin`;
    writeFileSync(join(appendLogDataDir(dataDir, 'ingest'), orphan), bytesOf(10, 9));
    // A file another thread of this process may still be writing.
    const otherThread = `${process.pid}-${threadId + 1}-0-0.bin`;
    writeFileSync(join(appendLogDataDir(dataDir, 'ingest'), otherThread), bytesOf(10, 9));

    const second = openAppendLog(dataDir, 'ingest');
    const next = second.append(1, bytesOf(10, 2), 0);
    expect(dataFiles()).toEqual([used, otherThread].sort());
    expect(second.next(0)).toEqual({ id: kept, count: 1, data: bytesOf(inlineBytes + 1, 1) });
    second.append(1, bytesOf(10, 3), next);
    expect(dataFiles()).toEqual([otherThread]);
    second.close();
  });

  it('answers a row whose bytes are damaged or gone as unreadable, and reads on', () => {
    const log = openAppendLog(dataDir, 'ingest');
    const damaged = log.append(4, bytesOf(inlineBytes + 1, 1), 0);
    log.close();
    const [name] = dataFiles();
    const path = join(appendLogDataDir(dataDir, 'ingest'), name!);
    const bytes = readFileSync(path);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(path, bytes);

    const reader = openAppendLog(dataDir, 'ingest');
    const row = reader.next(0);
    expect(row).toMatchObject({ id: damaged, count: 4, data: Buffer.alloc(0) });
    expect(row?.unreadable).toMatch(/do not match their checksum/);
    reader.close();

    rmSync(path);
    const writer = openAppendLog(dataDir, 'ingest');
    const after = writer.append(2, bytesOf(10, 2), 0);
    expect(writer.next(0)?.unreadable).toMatch(/could not be read/);
    expect(writer.next(damaged)).toEqual({ id: after, count: 2, data: bytesOf(10, 2) });
    writer.close();
  });

  it('reads the rows of a log an earlier version wrote, and appends to it', () => {
    const database = new SqliteDatabase(join(dataDir, 'ingest-log.db'));
    database.exec(
      'create table ingest_log (id integer primary key autoincrement, events integer not null, data blob not null)',
    );
    database
      .prepare('insert into ingest_log (events, data) values (?, ?)')
      .run(7, bytesOf(inlineBytes * 2, 1));
    database.close();

    const log = openAppendLog(dataDir, 'ingest');
    expect(log.next(0)).toEqual({ id: 1, count: 7, data: bytesOf(inlineBytes * 2, 1) });
    expect(log.append(1, bytesOf(inlineBytes * 2, 2), 0)).toBe(2);
    expect(log.next(1)).toEqual({ id: 2, count: 1, data: bytesOf(inlineBytes * 2, 2) });
    log.close();
  });
});
