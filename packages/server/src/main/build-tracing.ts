import {
  createIngestQueue,
  type GatewayTraceSink,
  type PriceTable,
  type Stores,
  type TraceStore,
} from '@flywheel/core';
import { createGatewayTraceSink, createThreadedTraceWriter } from '@flywheel/storage';
import type { FastifyBaseLogger } from 'fastify';
import type { AppendExperimentResults } from '../app/app-deps.js';
import type { Settings } from '../settings/settings.js';
import type { TracingDeps } from '../tracing/tracing-deps.js';
import { createIngestReadBarrier } from './ingest-read-barrier.js';

/** Ingestion, the gateway's trace sink and retention, sharing one writer thread. */
export interface BuiltTracing {
  tracing: TracingDeps;
  /** Where the gateway queues finished calls (fire and forget). */
  gatewaySink: GatewayTraceSink;
  /**
   * The trace store for queries: each read first waits until what ingestion acknowledged before
   * it is merged (at most {@link ingestReadWaitMs}), so a client reads what it sent.
   */
  traces: TraceStore;
  /** Resolves once every gateway call queued before it is a trace that queries find. */
  flushGatewayTraces(): Promise<void>;
  /** Appends experiment results on the writer thread; resolves once committed. */
  appendExperimentResults: AppendExperimentResults;
  /** Runs one retention sweep now (it also runs at start and every 10 minutes); resolves with how many traces it deleted. */
  sweepRetention(): Promise<number>;
  /** Flushes the gateway's traces, waits for ingestion to commit, stops retention and the writer. */
  close(): Promise<void>;
}

/**
 * How long a trace read waits, at most, for ingested events acknowledged before it to be merged
 * by the indexer; after it, the read answers with what is merged so far. The wait is only as
 * long as the ingest log's backlog: nothing, when ingestion is idle.
 */
export const ingestReadWaitMs = 2000;

const retentionIntervalMs = 10 * 60_000;
const retentionChunk = 5_000;

/**
 * Traces (and experiment results) are committed on a writer thread with its own connection, so
 * no commit (and its fsync) ever blocks the thread that answers requests. Ingestion waits for its
 * batches to be durable in the ingest log before acknowledging, and the trace indexer merges them
 * (decision 0015); the gateway's calls are queued and appended to their log after the answer
 * went out (decision 0013).
 */
export function buildTracing(
  settings: Settings,
  stores: Stores,
  prices: PriceTable,
  logger: FastifyBaseLogger | undefined,
  options: { directGatewayTraces?: boolean } = {},
): BuiltTracing {
  const writer = createThreadedTraceWriter(
    { databaseUrl: settings.databaseUrl, dataDir: settings.dataDir },
    {
      gateway: {
        priceOverrides: settings.gateway.prices,
        maxPayloadBytes: settings.gateway.traceMaxPayloadBytes,
        // Room for two frames of calls, one of which may be as large as the body limit allows, or
        // for an ingest log row: up to 4 MiB of JSON, or one request's events when larger.
        indexerHeapMb: Math.max(
          32 + 8 * Math.ceil(settings.bodyLimitBytes / 1_048_576),
          32 + 5 * Math.ceil(Math.max(4 * 1_048_576, settings.ingestBodyLimitBytes) / 1_048_576),
        ),
        direct: options.directGatewayTraces === true,
      },
      onLoss: (code, message) =>
        logger?.error(
          { code, detail: message },
          code === 'ingest_events_lost' ? 'ingested events were lost' : 'gateway traces were lost',
        ),
    },
  );
  const barrier = createIngestReadBarrier(() => writer.syncIngest(), ingestReadWaitMs);
  const ingested = () => barrier.ready();
  // Ingested batches go to the ingest log (SQLite) and are merged by the indexer (decision 0015).
  const queue = createIngestQueue({
    write: async (batches) => {
      await writer.appendIngest(batches);
      barrier.appended();
    },
    maxPendingEvents: settings.ingestMaxPendingEvents,
  });
  const readTraces = stores.traces;
  const traces: TraceStore = {
    write: (batch) => readTraces.write(batch),
    deleteOlderThan: (before, limit) => readTraces.deleteOlderThan(before, limit),
    getTrace: async (projectId, traceId) => {
      await ingested();
      return readTraces.getTrace(projectId, traceId);
    },
    listSpans: async (projectId, traceId) => {
      await ingested();
      return readTraces.listSpans(projectId, traceId);
    },
    listScores: async (projectId, traceId) => {
      await ingested();
      return readTraces.listScores(projectId, traceId);
    },
    listTraces: async (projectId, query) => {
      await ingested();
      return readTraces.listTraces(projectId, query);
    },
    listRollups: async (projectId, from, to) => {
      await ingested();
      return readTraces.listRollups(projectId, from, to);
    },
  };
  // The gateway's calls are appended to a durable log and indexed as traces by a low-priority
  // thread (decision 0013).
  const gatewaySink = createGatewayTraceSink({
    append: (frame) => writer.appendGatewayFrame(frame),
    frames: writer.gatewayFrames,
    onExportError: (error, calls) =>
      logger?.error({ err: error, lost: calls }, 'gateway traces could not be written'),
  });

  const sweep = async (): Promise<number> => {
    if (settings.retentionDays <= 0) return 0;
    // What ingestion acknowledged before the sweep is swept too (once merged; see ingested()).
    await ingested();
    const before = new Date(Date.now() - settings.retentionDays * 86_400_000).toISOString();
    let deleted = 0;
    for (;;) {
      const count = await stores.traces.deleteOlderThan(before, retentionChunk);
      deleted += count;
      if (count < retentionChunk) break;
    }
    if (deleted > 0) logger?.info({ deleted, before }, 'retention deleted old traces');
    return deleted;
  };
  let retention: ReturnType<typeof setInterval> | undefined;
  let retentionRun: Promise<unknown> | undefined;
  if (settings.retentionDays > 0) {
    const run = () => {
      retentionRun ??= sweep()
        .catch((error) =>
          logger?.warn({ err: error }, 'retention sweep failed; retrying at the next interval'),
        )
        .finally(() => {
          retentionRun = undefined;
        });
    };
    run();
    retention = setInterval(run, retentionIntervalMs);
    retention.unref();
  }

  return {
    tracing: { queue, prices, maxPayloadBytes: settings.gateway.traceMaxPayloadBytes },
    gatewaySink,
    traces,
    async flushGatewayTraces() {
      await gatewaySink.forceFlush();
      await writer.syncGatewayTraces();
    },
    appendExperimentResults: (projectId, experimentId, results) =>
      writer.appendExperimentResults(projectId, experimentId, results),
    sweepRetention: sweep,
    async close() {
      if (retention) clearInterval(retention);
      await retentionRun;
      await gatewaySink.shutdown();
      await queue.drain();
      await writer.close();
    },
  };
}
