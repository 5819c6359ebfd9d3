import type { ExperimentResultRecord, ModelPrice } from '@flywheel/core';
import type { StorageOptions } from '../open-storage.js';

/** Messages to the writer thread (JSON; gateway records travel in their own binary frame). */
export type WriterRequest =
  | {
      id: number;
      type: 'experiment-results';
      projectId: string;
      experimentId: string;
      results: ExperimentResultRecord[];
    }
  /** Answers once every gateway record appended before it is indexed (queryable). */
  | { id: number; type: 'gateway-sync' }
  /** Answers once every ingest batch appended before it is merged (queryable). */
  | { id: number; type: 'ingest-sync' }
  | { id: number; type: 'close' };

/** Answers from the writer thread (`stored`: results appended, for `experiment-results`). */
export type WriterResponse =
  /** `frame`: a gateway frame's buffer, handed back for reuse. */
  | { id: number; ok: true; stored?: number; frame?: ArrayBuffer }
  | { id: number; ok: false; code: string | undefined; message: string; retryAfterSeconds?: number };

/**
 * Ingested batches cross to the writer thread as bytes: {@link ingestFrame}, the request id and
 * the number of events (u32 little-endian each), then the batches' text (`ingestRowText`: one
 * line of JSON per batch, UTF-8), which the SQLite writer appends to the ingest log as it is.
 */
export const ingestFrame = 2;
/** Bytes before what the ingest log keeps. */
export const ingestHeaderBytes = 9;

/** The two logs the indexer empties. */
export type LogName = 'gateway' | 'ingest';

/** How gateway records become traces (given when the writer starts). */
export interface GatewayTraceOptions {
  /** The operator's price rows, over the shipped ones. */
  priceOverrides: ModelPrice[];
  /** Request and response payloads are kept up to this many bytes each. */
  maxPayloadBytes: number;
  /** Records appended but not indexed yet, at most; beyond it appends are refused (default 1,000,000). */
  maxBacklog?: number;
  /**
   * The indexer thread's old-generation heap limit, MiB (default 48). It must hold two frames'
   * calls (one call may be as large as the request body limit), or one transaction of ingest log
   * rows (up to 4 MiB of their JSON, or one larger row). Without a limit V8 let the
   * heap of a thread that runs rarely (nice 19) grow for as long as it had a backlog: +10 % of the
   * gateway's RSS over 100,000 calls (bench/gateway/memory.mjs).
   */
  indexerHeapMb?: number;
  /**
   * Write traces at once, without the log and the indexer (a local eval run: one command that
   * ends with its traces written, where deferring the work gains nothing and a second thread
   * and a second write cost ~5 % of its CPU).
   */
  direct?: boolean;
}

/** What a writer (or indexer) thread starts with. */
export type WriterData = StorageOptions & {
  gateway?: GatewayTraceOptions | undefined;
  /**
   * Ingested events appended to the ingest log but not merged yet, at most (SQLite; default
   * 1,000,000); beyond it ingestion is refused with `ingest_overloaded` until the indexer catches up.
   */
  maxIngestBacklog?: number | undefined;
  role?: 'writer' | 'indexer';
};

/** Writer thread → indexer thread. */
export type IndexerRequest =
  | { type: 'wake' }
  /** Answer `synced` with `token` once no row of `log` up to `upTo` is left. */
  | { type: 'sync'; token: number; upTo: number; log: LogName }
  /** Index what is there (until `deadline`, ms since the epoch), then close. */
  | { type: 'close'; deadline: number };

/** Indexer thread → writer thread. */
export type IndexerMessage =
  | { type: 'indexed'; log: LogName; records: number }
  | { type: 'synced'; token: number }
  | { type: 'lost'; log: LogName; records: number; message: string }
  | { type: 'closed' };

/**
 * The indexer thread's V8 heap limits (`resourceLimits` of its worker), MiB. The old generation
 * is capped (see `indexerHeapMb`). The young generation was 4 MiB (2026-12-07); 16 MiB holds
 * a merge's worth of objects (`ingestEventsPerMerge` events) between collections. With merges
 * of ~250 events it cut the merge's CPU per span by about 30 % (`bench/ingest/merge.mjs`,
 * decision 0020).
 */
export function indexerHeapLimits(indexerHeapMb = 48): {
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
} {
  return { maxOldGenerationSizeMb: indexerHeapMb, maxYoungGenerationSizeMb: 16 };
}
