import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { TraceWriteBatch } from '@flywheel/core';
import {
  createPriceTable,
  defaultPrices,
  type GatewayGenerationRecord,
  generationBatch,
} from '@flywheel/core/gateway-records';
import { joinTraceBatches } from '@flywheel/core/tracing-writes';
import { createSqliteTraceWrites } from '../dialects/sqlite-trace-writes.js';
import { type LogRow, openAppendLog } from './append-log.js';
import { decodeGatewayRecords } from './gateway-frame.js';
import { eventsIn, ingestMerges } from './ingest-rows.js';
import type { IndexerMessage, IndexerRequest, LogName, WriterData } from './trace-writer-protocol.js';

/**
 * Rows of the main database's old `gateway_log` table (each one frame: up to 256 KiB of calls),
 * left there by an earlier version, indexed per transaction: one, so the write lock is held
 * briefly. New frames go to the gateway log's own file (decision 0018).
 */
const legacyRowsPerTransaction = 1;

/**
 * Ingested events merged per transaction, at most (whole log rows; at least one row): fewer
 * commits (each an fsync) for a backlog, while a transaction still holds the database's write
 * lock only briefly.
 */
const ingestEventsPerTransaction = 2000;
/** The same, in bytes of the rows' JSON (the indexer's heap is capped; see `indexerHeapMb`). */
const ingestBytesPerTransaction = 4 * 1024 * 1024;

/** Another indexer (another process on the same data dir) took some of the rows first. */
class RowsTaken extends Error {}

/**
 * The trace indexer (SQLite) empties two logs. The ingest log: each row is a group commit of
 * ingested batches (validated and priced on the request thread), merged into traces, spans and
 * scores as they are (decision 0015). The gateway log: each row is a frame of finished calls,
 * each turned into a trace (`generationBatch`: stream parsed, tokens counted, call priced, span
 * built; decision 0013). Each log is a file of its own (decisions 0015 and 0018), and how far
 * it is indexed (`log_positions`) moves in the same transaction as the writes, so an event or
 * call is indexed once even if the process dies at any point. Ingest rows go first: a client may
 * be waiting to read what it sent.
 *
 * It runs at the lowest CPU priority (nice 19), below the threads that answer requests: while the
 * machine is busy serving calls, indexing waits, and the logs (durable) hold the data; it catches
 * up when there is CPU to spare. Queries see data once it is indexed; trace reads first wait for
 * the ingest log (up to a bound, see `build-tracing.ts`).
 */
export function runTraceIndexer(options: WriterData, port: MessagePort): void {
  try {
    // On Linux a nice value is per thread: this lowers the indexer's alone.
    setPriority(0, 19);
  } catch {
    // Not permitted here: index at normal priority.
  }
  const gateway = options.gateway;
  const prices = gateway ? createPriceTable(defaultPrices, gateway.priceOverrides) : undefined;
  const batchOptions = { prices: prices!, maxPayloadBytes: gateway?.maxPayloadBytes ?? 0 };
  const writes = createSqliteTraceWrites(join(options.dataDir, 'flywheel.db'), options.busyTimeoutMs);
  // The main database's old gateway log table: rows an earlier version left (decision 0018).
  const readLegacyRows = writes.prepare(
    'select id, records, data from gateway_log where id > ? order by id limit ?',
  );
  const removeLegacyRows = writes.prepare('delete from gateway_log where id >= ? and id <= ?');
  const legacyLeft = writes.prepare('select 1 from gateway_log limit 1');
  // The logs are read here and written only by the writer thread (decisions 0015 and 0018); how
  // far each is indexed moves in the indexing's own transaction.
  const ingestLog = openAppendLog(options.dataDir, 'ingest', options.busyTimeoutMs);
  const gatewayLog = gateway ? openAppendLog(options.dataDir, 'gateway', options.busyTimeoutMs) : undefined;
  const position = writes.prepare('select upto from log_positions where name = ?');
  const indexedUpTo = (log: LogName) => Number((position.get(log) as { upto: number }).upto);
  const ingestMerged = () => indexedUpTo('ingest');
  const advance = writes.prepare('update log_positions set upto = ? where name = ? and upto = ?');
  const done: Record<LogName, (upTo: number) => boolean> = {
    gateway: (upTo) => legacyLeft.get() === undefined && indexedUpTo('gateway') >= upTo,
    ingest: (upTo) => ingestMerged() >= upTo,
  };
  const post = (message: IndexerMessage) => port.postMessage(message);
  /** Reports acknowledged data that could not be indexed (the writer logs it). */
  const lose = (log: LogName, records: number, message: string) =>
    post({ type: 'lost', log, records, message });

  let lastLegacyId = 0;
  let lastGatewayId = gateway ? indexedUpTo('gateway') : 0;
  let lastIngestId = ingestMerged();
  let running: Promise<void> | undefined;
  let again = false;
  let deadline = Number.POSITIVE_INFINITY;
  const syncs: Array<{ token: number; upTo: number; log: LogName }> = [];

  const answerSyncs = () => {
    for (let index = syncs.length - 1; index >= 0; index--) {
      const sync = syncs[index]!;
      if (done[sync.log](sync.upTo)) {
        syncs.splice(index, 1);
        post({ type: 'synced', token: sync.token });
      }
    }
  };

  /**
   * Merges the oldest ingest log rows not merged yet (at least one, up to
   * {@link ingestEventsPerTransaction} events and {@link ingestBytesPerTransaction} bytes) in one
   * transaction; false when there are none.
   */
  async function indexIngestOnce(): Promise<boolean> {
    const rows: LogRow[] = [];
    let events = 0;
    let bytes = 0;
    for (
      let after = lastIngestId;
      events < ingestEventsPerTransaction && bytes < ingestBytesPerTransaction;
    ) {
      const row = ingestLog.next(after);
      if (!row) break;
      rows.push(row);
      events += row.count;
      bytes += row.data.byteLength;
      after = row.id;
    }
    if (rows.length === 0) return false;
    const from = lastIngestId;
    const upTo = rows.at(-1)!.id;
    const take = () => {
      if (advance.run(upTo, 'ingest', from).changes !== 1) throw new RowsTaken();
    };
    let lost = 0;
    // Rows are parsed as the merge reaches them (`ingestMerges`); what cannot be is reported
    // once, and the second pass below gives the same batches as the first.
    const readable = new Map<number, number>();
    const report = (_row: LogRow, events: number, error: unknown) => {
      lost += events;
      lose('ingest', events, `${events} events of an ingest log row could not be read: ${String(error)}`);
    };
    // Rows whose bytes are gone (a damaged or deleted data file) are reported and passed over.
    for (const row of rows) if (row.unreadable !== undefined) report(row, row.count, row.unreadable);
    const kept = lost === 0 ? rows : rows.filter((row) => row.unreadable === undefined);
    try {
      await writes.write(ingestMerges(kept, readable, report), take);
    } catch (error) {
      if (error instanceof RowsTaken) {
        // Another process merged them first: go on from where the log is merged to.
        lastIngestId = ingestMerged();
        return true;
      }
      // One bad batch must not hold the log up: merge the batches one by one, keep what can be
      // kept, then move past the rows.
      for (const batch of ingestMerges(kept, readable, report, 1)) {
        try {
          await writes.write([batch]);
        } catch (single) {
          const count = eventsIn(batch);
          lost += count;
          lose('ingest', count, `${count} ingested events could not be merged: ${String(single)}`);
        }
      }
      try {
        await writes.write([], take);
      } catch (taken) {
        if (!(taken instanceof RowsTaken)) throw taken;
      }
      lastIngestId = Math.max(upTo, ingestMerged());
      post({ type: 'indexed', log: 'ingest', records: events - lost });
      return true;
    }
    lastIngestId = upTo;
    post({ type: 'indexed', log: 'ingest', records: events - lost });
    return true;
  }

  /** Indexes the next ingest row, or else the next gateway row; false when both logs are empty. */
  async function indexOnce(): Promise<boolean> {
    return (await indexIngestOnce()) || (gateway !== undefined && (await indexGatewayOnce()));
  }

  /** Turns the calls of gateway log rows into trace batches; reports what cannot be read. */
  async function callBatches(rows: Array<{ count: number; data: Buffer; unreadable?: string }>) {
    const batches: TraceWriteBatch[] = [];
    let lost = 0;
    for (const row of rows) {
      let calls: GatewayGenerationRecord[];
      try {
        if (row.unreadable !== undefined) throw new Error(row.unreadable);
        calls = decodeGatewayRecords(row.data);
      } catch (error) {
        lost += row.count;
        lose('gateway', row.count, `a gateway log row could not be read: ${String(error)}`);
        continue;
      }
      for (const call of calls) {
        try {
          batches.push(await generationBatch(call, batchOptions));
        } catch (error) {
          lost += 1;
          lose('gateway', 1, `a gateway call could not become a trace: ${String(error)}`);
        }
      }
    }
    return { batches, lost };
  }

  /** Writes trace batches one by one (one bad call must not hold the log up); answers how many were kept. */
  async function writeEach(batches: TraceWriteBatch[]): Promise<number> {
    let kept = 0;
    for (const batch of batches) {
      try {
        await writes.write([batch]);
        kept += 1;
      } catch (single) {
        lose('gateway', 1, `a gateway trace could not be written: ${String(single)}`);
      }
    }
    return kept;
  }

  /** Indexes the next row of the old `gateway_log` table; false when it is empty. */
  async function indexLegacyGatewayOnce(): Promise<boolean> {
    const rows = (
      readLegacyRows.all(lastLegacyId, legacyRowsPerTransaction) as Array<{
        id: number;
        records: number;
        data: Buffer;
      }>
    ).map((row) => ({ id: row.id, count: row.records, data: row.data }));
    if (rows.length === 0) return false;
    const first = rows[0]!.id;
    const last = rows.at(-1)!.id;
    let records = 0;
    for (const row of rows) records += row.count;
    const { batches, lost } = await callBatches(rows);
    const take = () => {
      if (removeLegacyRows.run(first, last).changes !== rows.length) throw new RowsTaken();
    };
    try {
      await writes.write(joinTraceBatches(batches), take);
    } catch (error) {
      if (error instanceof RowsTaken) {
        // Read again from where this indexer was: the rows still there are its to index.
        return true;
      }
      const kept = await writeEach(batches);
      removeLegacyRows.run(first, last);
      lastLegacyId = last;
      post({ type: 'indexed', log: 'gateway', records: kept });
      return true;
    }
    lastLegacyId = last;
    post({ type: 'indexed', log: 'gateway', records: records - lost });
    return true;
  }

  /**
   * Indexes the next row of the gateway log (old table first), turning each call into a trace,
   * and moves the log's position past it in the same transaction; false when there is none.
   */
  async function indexGatewayOnce(): Promise<boolean> {
    if (await indexLegacyGatewayOnce()) return true;
    const row = gatewayLog?.next(lastGatewayId);
    if (!row) return false;
    const from = lastGatewayId;
    const take = () => {
      if (advance.run(row.id, 'gateway', from).changes !== 1) throw new RowsTaken();
    };
    const { batches, lost } = await callBatches([row]);
    try {
      await writes.write(joinTraceBatches(batches), take);
    } catch (error) {
      if (error instanceof RowsTaken) {
        // Another process indexed it first: go on from where the log is indexed to.
        lastGatewayId = indexedUpTo('gateway');
        return true;
      }
      const kept = await writeEach(batches);
      try {
        await writes.write([], take);
      } catch (taken) {
        if (!(taken instanceof RowsTaken)) throw taken;
      }
      lastGatewayId = Math.max(row.id, indexedUpTo('gateway'));
      post({ type: 'indexed', log: 'gateway', records: kept });
      return true;
    }
    lastGatewayId = row.id;
    post({ type: 'indexed', log: 'gateway', records: row.count - lost });
    return true;
  }

  const drain = () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          while (Date.now() < deadline && (await indexOnce())) answerSyncs();
          answerSyncs();
        } while (again && Date.now() < deadline);
      } catch (error) {
        // The database was busy or failed: nothing was taken from the log; try again shortly.
        lose('gateway', 0, `trace indexing paused: ${String(error)}`);
        setTimeout(() => void drain(), 1000).unref();
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  port.on('message', (request: IndexerRequest) => {
    if (request.type === 'wake') void drain();
    else if (request.type === 'sync') {
      syncs.push({ token: request.token, upTo: request.upTo, log: request.log });
      void drain();
    } else if (request.type === 'close') {
      deadline = request.deadline;
      void (async () => {
        await running;
        // Whatever arrived since the last pass, up to the deadline.
        while (Date.now() < deadline && (await indexOnce())) answerSyncs();
        writes.close();
        ingestLog.close();
        gatewayLog?.close();
        post({ type: 'closed' });
      })();
    }
  });
  void drain();
}
