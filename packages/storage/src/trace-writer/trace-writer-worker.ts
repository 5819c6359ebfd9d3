import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { PriceTable, TraceWriteBatch } from '@flywheel/core';
import { joinTraceBatches } from '@flywheel/core/tracing-writes';
import { FlywheelError } from '@flywheel/spec/errors';
import { createSqliteTraceWrites } from '../dialects/sqlite-trace-writes.js';
import type { Storage } from '../open-storage.js';
import { type AppendLog, gatewayLogFile, openAppendLog } from './append-log.js';
import { decodeGatewayRecords, gatewayFrame, gatewayHeaderBytes } from './gateway-frame.js';
import { rowBatches } from './ingest-rows.js';
import { runTraceIndexer } from './trace-indexer.js';
import {
  type IndexerMessage,
  type IndexerRequest,
  indexerHeapLimits,
  ingestFrame,
  ingestHeaderBytes,
  type WriterData,
  type WriterRequest,
  type WriterResponse,
} from './trace-writer-protocol.js';

// The writer thread: its own connection, so a commit (an fsync under synchronous=FULL) blocks
// this thread only, never the one answering requests. It commits experiment results, appends
// ingested batches to the ingest log and the gateway's finished calls to the gateway log (on
// SQLite; PostgreSQL writes both at once). The same script is the trace indexer's thread (role
// `indexer`), which the writer starts when it is needed and which empties both logs.
const options = workerData as WriterData;
const port = parentPort!;

if (options.role === 'indexer') {
  runTraceIndexer(options, port);
} else {
  runWriter();
}

function runWriter(): void {
  // On SQLite the writer owns its connection and runs prepared statements directly; it imports
  // neither Kysely nor the wire schemas (zod), which were most of its ~230 ms of CPU at start-up
  // (every `flywheel serve` and `flywheel eval` starts one). PostgreSQL uses the Kysely stores,
  // loaded only then.
  const sqliteWrites = options.databaseUrl
    ? undefined
    : createSqliteTraceWrites(join(options.dataDir, 'flywheel.db'), options.busyTimeoutMs);
  const storage: Promise<Storage> | undefined = options.databaseUrl
    ? import('../open-storage.js').then(({ openStorage }) => openStorage(options))
    : undefined;
  const decoder = new TextDecoder();
  const maxBacklog = options.gateway?.maxBacklog ?? 1_000_000;
  let prices: PriceTable | undefined;

  // SQLite: the gateway log, a file of its own (decision 0018), and how far it is indexed. A
  // local eval run writes its traces at once (`direct`) and opens the log only when an earlier
  // `serve` left one, for its indexer to finish.
  const gatewayLog =
    sqliteWrites &&
    options.gateway &&
    (!options.gateway.direct || existsSync(join(options.dataDir, gatewayLogFile)))
      ? openAppendLog(options.dataDir, 'gateway', options.busyTimeoutMs)
      : undefined;
  const gatewayPosition = sqliteWrites?.prepare("select upto from log_positions where name = 'gateway'");
  const gatewayIndexed = () => Number((gatewayPosition?.get() as { upto: number } | undefined)?.upto ?? 0);
  // Calls an earlier version left in the main database's `gateway_log` table: the indexer
  // takes them first; nothing is added there any more.
  const legacyBacklog = Number(
    (
      sqliteWrites?.prepare('select coalesce(sum(records), 0) as backlog from gateway_log').get() as
        | { backlog: number }
        | undefined
    )?.backlog ?? 0,
  );
  // Indexed rows stay in the file until the next append: the last row counts only when it is
  // not indexed yet, so that a sync with nothing to wait for does not start the indexer.
  const unindexed = (log: AppendLog | undefined, indexed: number) => {
    const last = log?.last() ?? 0;
    return last > indexed ? last : 0;
  };
  let lastAppended = unindexed(gatewayLog, gatewayIndexed());
  let backlog = legacyBacklog + (gatewayLog?.countAfter(gatewayIndexed()) ?? 0);
  // SQLite: the ingest log, a file of its own (decision 0015), and how far it is merged.
  const maxIngestBacklog = options.maxIngestBacklog ?? 1_000_000;
  const ingestLog = sqliteWrites
    ? openAppendLog(options.dataDir, 'ingest', options.busyTimeoutMs)
    : undefined;
  const mergedPosition = sqliteWrites?.prepare("select upto from log_positions where name = 'ingest'");
  const ingestMerged = () => Number((mergedPosition?.get() as { upto: number } | undefined)?.upto ?? 0);
  let lastIngestAppended = unindexed(ingestLog, ingestMerged());
  let ingestBacklog = ingestLog?.countAfter(ingestMerged()) ?? 0;
  const lower = (log: 'gateway' | 'ingest', records: number) => {
    if (log === 'ingest') ingestBacklog = Math.max(0, ingestBacklog - records);
    else backlog = Math.max(0, backlog - records);
  };
  let indexer: Worker | undefined;
  let nextSyncToken = 1;
  const syncWaiters = new Map<number, () => void>();
  let indexerClosed: (() => void) | undefined;

  const startIndexer = (): Worker => {
    if (indexer) return indexer;
    const started = new Worker(new URL(import.meta.url), {
      workerData: { ...options, role: 'indexer' },
      resourceLimits: indexerHeapLimits(options.gateway?.indexerHeapMb),
    });
    started.unref();
    started.on('message', (message: IndexerMessage) => {
      if (message.type === 'indexed') lower(message.log, message.records);
      else if (message.type === 'synced') {
        syncWaiters.get(message.token)?.();
        syncWaiters.delete(message.token);
      } else if (message.type === 'lost') {
        lower(message.log, message.records);
        port.postMessage({
          id: 0,
          ok: false,
          code: message.log === 'ingest' ? 'ingest_events_lost' : 'gateway_traces_lost',
          message: message.message,
        });
      } else if (message.type === 'closed') indexerClosed?.();
    });
    const failed = (reason: string) => {
      port.postMessage({ id: 0, ok: false, code: 'gateway_traces_lost', message: reason });
      indexer = undefined;
      indexerClosed?.();
      for (const release of syncWaiters.values()) release();
      syncWaiters.clear();
    };
    started.on('error', (error) => failed(`the trace indexer failed: ${error.message}`));
    started.on('exit', (code) => {
      if (indexer === started) failed(`the trace indexer stopped (exit code ${code})`);
    });
    indexer = started;
    return started;
  };
  const tellIndexer = (request: IndexerRequest) => startIndexer().postMessage(request);
  // Calls and events left unindexed by the last run are indexed now.
  if (sqliteWrites && ((options.gateway && backlog > 0) || ingestBacklog > 0)) tellIndexer({ type: 'wake' });

  let queue: Promise<void> = Promise.resolve();
  port.on('message', (message: Uint8Array) => {
    // One request at a time: a write's transaction spans awaits on the writer's one connection.
    if (message[0] === gatewayFrame) {
      queue = queue
        .then(() => appendGateway(message))
        .then((response) => {
          // The frame is stored (copied) by now: its buffer goes back to the request thread for reuse.
          if (response.ok) {
            response.frame = message.buffer as ArrayBuffer;
            port.postMessage(response, [response.frame]);
          } else port.postMessage(response);
        });
      return;
    }
    if (message[0] === ingestFrame) {
      queue = queue.then(() => appendIngest(message)).then((response) => port.postMessage(response));
      return;
    }
    const request = JSON.parse(decoder.decode(message)) as WriterRequest;
    if (request.type === 'ingest-sync') {
      // Not in the queue: it waits for the indexer, and appends must go on meanwhile. Every
      // append acknowledged before it was asked for is covered: an append is acknowledged
      // only once handled.
      void syncIngest(request.id).then((response) => port.postMessage(response));
      return;
    }
    queue = queue.then(() => handle(request)).then((response) => port.postMessage(response));
  });

  async function appendGateway(message: Uint8Array): Promise<WriterResponse> {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    const id = view.getUint32(1, true);
    const records = view.getUint32(5, true);
    try {
      const gateway = options.gateway;
      if (!gateway) throw new Error('this writer was started without gateway trace options');
      if (!sqliteWrites || !gatewayLog || gateway.direct) {
        // PostgreSQL, or a run that wants its traces now (a local eval): no log, written at once.
        const { generationBatch, createPriceTable, defaultPrices } = await import(
          '@flywheel/core/gateway-records'
        );
        // Built once: the table keeps the prices it looked up.
        prices ??= createPriceTable(defaultPrices, gateway.priceOverrides);
        const batches = await Promise.all(
          decodeGatewayRecords(message.subarray(gatewayHeaderBytes)).map((record) =>
            generationBatch(record, { prices: prices!, maxPayloadBytes: gateway.maxPayloadBytes }),
          ),
        );
        const writeNow = async (some: TraceWriteBatch[]) => {
          if (sqliteWrites) return sqliteWrites.write(joinTraceBatches(some));
          await (await storage!).stores.transaction(async (transaction) => {
            for (const batch of joinTraceBatches(some)) await transaction.traces.write(batch);
          });
        };
        try {
          await writeNow(batches);
        } catch {
          // One bad call must not cost the others: write them one by one, report what fails.
          for (const batch of batches) {
            await writeNow([batch]).catch((error: unknown) =>
              port.postMessage({
                id: 0,
                ok: false,
                code: 'gateway_traces_lost',
                message: `a gateway trace could not be written: ${error instanceof Error ? error.message : String(error)}`,
              }),
            );
          }
        }
        return { id, ok: true };
      }
      if (backlog + records > maxBacklog) {
        throw new FlywheelError(
          'ingest_overloaded',
          `${backlog} gateway calls are waiting to be indexed as traces (at most ${maxBacklog}); these ${records} are not kept.`,
        );
      }
      // Committed (durably: synchronous=FULL) before the answer; parsed only by the indexer.
      const data = Buffer.from(
        message.buffer,
        message.byteOffset + gatewayHeaderBytes,
        message.byteLength - gatewayHeaderBytes,
      );
      // The rows the indexer took go in the same transaction (one fsync).
      lastAppended = gatewayLog.append(records, data, gatewayIndexed());
      backlog += records;
      tellIndexer({ type: 'wake' });
      return { id, ok: true };
    } catch (error) {
      return failure(id, error);
    }
  }

  async function appendIngest(message: Uint8Array): Promise<WriterResponse> {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    const id = view.getUint32(1, true);
    const events = view.getUint32(5, true);
    try {
      if (!ingestLog) {
        // PostgreSQL: no log, merged at once.
        const batches = [...rowBatches(message.subarray(ingestHeaderBytes))];
        await (await storage!).stores.transaction(async (transaction) => {
          for (const batch of joinTraceBatches(batches)) await transaction.traces.write(batch);
        });
        return { id, ok: true };
      }
      if (ingestBacklog + events > maxIngestBacklog) {
        throw new FlywheelError(
          'ingest_overloaded',
          `${ingestBacklog} ingested events are waiting to be indexed (at most ${maxIngestBacklog}); nothing of this request was stored. Retry after the Retry-After delay.`,
          { retryAfterSeconds: 5 },
        );
      }
      // Committed (durably: synchronous=FULL) before the answer; merged only by the indexer.
      const data = Buffer.from(
        message.buffer,
        message.byteOffset + ingestHeaderBytes,
        message.byteLength - ingestHeaderBytes,
      );
      // The rows the indexer merged go in the same transaction (one fsync).
      lastIngestAppended = ingestLog.append(events, data, ingestMerged());
      ingestBacklog += events;
      tellIndexer({ type: 'wake' });
      return { id, ok: true };
    } catch (error) {
      return failure(id, error);
    }
  }

  async function syncIngest(id: number): Promise<WriterResponse> {
    if (!sqliteWrites || lastIngestAppended === 0) return { id, ok: true };
    const token = nextSyncToken++;
    await new Promise<void>((resolve) => {
      syncWaiters.set(token, resolve);
      tellIndexer({ type: 'sync', token, upTo: lastIngestAppended, log: 'ingest' });
    });
    return { id, ok: true };
  }

  async function handle(request: WriterRequest): Promise<WriterResponse> {
    try {
      if (request.type === 'close') {
        if (indexer) {
          const closed = new Promise<void>((resolve) => {
            indexerClosed = resolve;
          });
          // What is left after this is indexed at the next start.
          tellIndexer({ type: 'close', deadline: Date.now() + 30_000 });
          await closed;
          const stopping = indexer;
          indexer = undefined;
          await stopping?.terminate();
        }
        sqliteWrites?.close();
        ingestLog?.close();
        gatewayLog?.close();
        await (await storage)?.close();
        return { id: request.id, ok: true };
      }
      if (request.type === 'gateway-sync') {
        if (!sqliteWrites || (lastAppended === 0 && legacyBacklog === 0)) return { id: request.id, ok: true };
        const token = nextSyncToken++;
        await new Promise<void>((resolve) => {
          syncWaiters.set(token, resolve);
          tellIndexer({ type: 'sync', token, upTo: lastAppended, log: 'gateway' });
        });
        return { id: request.id, ok: true };
      }

      if (request.type === 'experiment-results') {
        const stored = sqliteWrites
          ? sqliteWrites.appendExperimentResults(request.projectId, request.experimentId, request.results)
          : await (await storage!).stores.transaction((transaction) =>
              transaction.experiments.appendResults(request.projectId, request.experimentId, request.results),
            );
        return { id: request.id, ok: true, stored };
      }
      // `ingest-sync` is answered as it arrives, never queued.
      return { id: request.id, ok: true };
    } catch (error) {
      return failure(request.id, error);
    }
  }
}

function failure(id: number, error: unknown): WriterResponse {
  const response: WriterResponse = {
    id,
    ok: false,
    code: FlywheelError.is(error) ? error.code : undefined,
    message: error instanceof Error ? error.message : String(error),
  };
  if (FlywheelError.is(error) && error.retryAfterSeconds !== undefined)
    response.retryAfterSeconds = error.retryAfterSeconds;
  return response;
}
