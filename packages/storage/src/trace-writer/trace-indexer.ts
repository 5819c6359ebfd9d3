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
import { decodeGatewayRecords } from './gateway-frame.js';
import { type IngestLogRow, openIngestLog } from './ingest-log.js';
import type { IndexerMessage, IndexerRequest, LogName, WriterData } from './trace-writer-protocol.js';

/**
 * Log rows (each one frame: up to 256 KiB of calls) indexed per transaction: one, so the write
 * lock is held briefly. At nice 19 the indexer can be preempted inside its transaction, and the
 * writer thread (appends, ingestion, experiment results) then waits for it; raising the indexer's
 * priority for the transaction cost the gateway 7-12 % of its throughput in bench/gateway (and
 * needs a privilege Linux gives only within RLIMIT_NICE).
 */
const rowsPerTransaction = 1;

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
 * built; decision 0013). Either way the rows it indexed are deleted in the same transaction as
 * the writes, so an event or call is indexed once even if the process dies at any point. Ingest
 * rows go first: a client may be waiting to read what it sent.
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
  const readRows = writes.prepare(
    'select id, records, data from gateway_log where id > ? order by id limit ?',
  );
  const removeRows = writes.prepare('delete from gateway_log where id >= ? and id <= ?');
  // The ingest log is read here and written only by the writer thread (decision 0015); how far
  // it is merged moves in the merge's own transaction.
  const ingestLog = openIngestLog(options.dataDir, options.busyTimeoutMs);
  const mergedPosition = writes.prepare("select upto from log_positions where name = 'ingest'");
  const ingestMerged = () => Number((mergedPosition.get() as { upto: number }).upto);
  const advance = writes.prepare("update log_positions set upto = ? where name = 'ingest' and upto = ?");
  const gatewayLeft = writes.prepare('select 1 from gateway_log where id <= ? limit 1');
  const done: Record<LogName, (upTo: number) => boolean> = {
    gateway: (upTo) => gatewayLeft.get(upTo) === undefined,
    ingest: (upTo) => ingestMerged() >= upTo,
  };
  const post = (message: IndexerMessage) => port.postMessage(message);
  /** Reports acknowledged data that could not be indexed (the writer logs it). */
  const lose = (log: LogName, records: number, message: string) =>
    post({ type: 'lost', log, records, message });

  let lastId = 0;
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
    const rows: IngestLogRow[] = [];
    let events = 0;
    let bytes = 0;
    for (
      let after = lastIngestId;
      events < ingestEventsPerTransaction && bytes < ingestBytesPerTransaction;
    ) {
      const row = ingestLog.next(after);
      if (!row) break;
      rows.push(row);
      events += row.events;
      bytes += row.data.byteLength;
      after = row.id;
    }
    if (rows.length === 0) return false;
    const from = lastIngestId;
    const upTo = rows.at(-1)!.id;
    const take = () => {
      if (advance.run(upTo, from).changes !== 1) throw new RowsTaken();
    };
    let lost = 0;
    const batches: TraceWriteBatch[] = [];
    for (const row of rows) {
      try {
        batches.push(...(JSON.parse(row.data.toString('utf8')) as TraceWriteBatch[]));
      } catch (error) {
        lost += row.events;
        lose('ingest', row.events, `an ingest log row could not be read: ${String(error)}`);
      }
    }
    try {
      await writes.write(joinTraceBatches(batches), take);
    } catch (error) {
      if (error instanceof RowsTaken) {
        // Another process merged them first: go on from where the log is merged to.
        lastIngestId = ingestMerged();
        return true;
      }
      // One bad batch must not hold the log up: merge the batches one by one, keep what can be
      // kept, then move past the rows.
      for (const batch of batches) {
        try {
          await writes.write([batch]);
        } catch (single) {
          const count = batch.traces.length + batch.spans.length + batch.scores.length;
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

  async function indexGatewayOnce(): Promise<boolean> {
    const rows = readRows.all(lastId, rowsPerTransaction) as Array<{
      id: number;
      records: number;
      data: Buffer;
    }>;
    if (rows.length === 0) return false;
    const first = rows[0]!.id;
    const last = rows.at(-1)!.id;
    let records = 0;
    const batches: TraceWriteBatch[] = [];
    let lost = 0;
    for (const row of rows) {
      records += row.records;
      let calls: GatewayGenerationRecord[];
      try {
        calls = decodeGatewayRecords(row.data);
      } catch (error) {
        lost += row.records;
        lose('gateway', row.records, `a gateway log row could not be read: ${String(error)}`);
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
    const take = () => {
      if (removeRows.run(first, last).changes !== rows.length) throw new RowsTaken();
    };
    try {
      await writes.write(joinTraceBatches(batches), take);
    } catch (error) {
      if (error instanceof RowsTaken) {
        // Read again from where this indexer was: the rows still there are its to index.
        return true;
      }
      // One bad call must not hold the log up: write the calls one by one, keep what can be kept.
      let kept = 0;
      for (const batch of batches) {
        try {
          await writes.write([batch]);
          kept += 1;
        } catch (single) {
          lose('gateway', 1, `a gateway trace could not be written: ${String(single)}`);
        }
      }
      removeRows.run(first, last);
      lastId = last;
      post({ type: 'indexed', log: 'gateway', records: kept });
      return true;
    }
    lastId = last;
    post({ type: 'indexed', log: 'gateway', records: records - lost });
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
        post({ type: 'closed' });
      })();
    }
  });
  void drain();
}
