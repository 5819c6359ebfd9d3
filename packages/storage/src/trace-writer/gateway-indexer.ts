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
import type { IndexerMessage, IndexerRequest, WriterData } from './trace-writer-protocol.js';

/**
 * Log rows (each one frame: up to 256 KiB of calls) indexed per transaction: one, so the write
 * lock is held briefly. At nice 19 the indexer can be preempted inside its transaction, and the
 * writer thread (appends, ingestion, experiment results) then waits for it; raising the indexer's
 * priority for the transaction cost the gateway 7-12 % of its throughput in bench/gateway (and
 * needs a privilege Linux gives only within RLIMIT_NICE).
 */
const rowsPerTransaction = 1;

/** Another indexer (another process on the same data dir) took some of the rows first. */
class RowsTaken extends Error {}

/**
 * The gateway trace indexer (SQLite): reads the gateway log in order, turns each call into a
 * trace (`generationBatch`: stream parsed, tokens counted, call priced, span built) and writes
 * them, deleting the rows it indexed in the same transaction, so a call is indexed once even if
 * the process dies at any point.
 *
 * It runs at the lowest CPU priority (nice 19), below the threads that answer requests: while the
 * machine is busy serving calls, indexing waits, and the log (durable) holds the calls; it catches
 * up when there is CPU to spare. Queries see a call once it is indexed (decision 0013).
 */
export function runGatewayIndexer(options: WriterData, port: MessagePort): void {
  try {
    // On Linux a nice value is per thread: this lowers the indexer's alone.
    setPriority(0, 19);
  } catch {
    // Not permitted here: index at normal priority.
  }
  const gateway = options.gateway!;
  const prices = createPriceTable(defaultPrices, gateway.priceOverrides);
  const batchOptions = { prices, maxPayloadBytes: gateway.maxPayloadBytes };
  const writes = createSqliteTraceWrites(join(options.dataDir, 'flywheel.db'), options.busyTimeoutMs);
  const readRows = writes.prepare(
    'select id, records, data from gateway_log where id > ? order by id limit ?',
  );
  const removeRows = writes.prepare('delete from gateway_log where id >= ? and id <= ?');
  const anyLeft = writes.prepare('select 1 from gateway_log where id <= ? limit 1');
  const post = (message: IndexerMessage) => port.postMessage(message);

  let lastId = 0;
  let running: Promise<void> | undefined;
  let again = false;
  let deadline = Number.POSITIVE_INFINITY;
  const syncs: Array<{ token: number; upTo: number }> = [];

  const answerSyncs = () => {
    for (let index = syncs.length - 1; index >= 0; index--) {
      const sync = syncs[index]!;
      if (anyLeft.get(sync.upTo) === undefined) {
        syncs.splice(index, 1);
        post({ type: 'synced', token: sync.token });
      }
    }
  };

  async function indexOnce(): Promise<boolean> {
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
        post({
          type: 'lost',
          records: row.records,
          message: `a gateway log row could not be read: ${String(error)}`,
        });
        continue;
      }
      for (const call of calls) {
        try {
          batches.push(await generationBatch(call, batchOptions));
        } catch (error) {
          lost += 1;
          post({
            type: 'lost',
            records: 1,
            message: `a gateway call could not become a trace: ${String(error)}`,
          });
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
          post({
            type: 'lost',
            records: 1,
            message: `a gateway trace could not be written: ${String(single)}`,
          });
        }
      }
      removeRows.run(first, last);
      lastId = last;
      post({ type: 'indexed', records: kept });
      return true;
    }
    lastId = last;
    post({ type: 'indexed', records: records - lost });
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
        post({ type: 'lost', records: 0, message: `gateway trace indexing paused: ${String(error)}` });
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
      syncs.push({ token: request.token, upTo: request.upTo });
      void drain();
    } else if (request.type === 'close') {
      deadline = request.deadline;
      void (async () => {
        await running;
        // Whatever arrived since the last pass, up to the deadline.
        while (Date.now() < deadline && (await indexOnce())) answerSyncs();
        writes.close();
        post({ type: 'closed' });
      })();
    }
  });
  void drain();
}
