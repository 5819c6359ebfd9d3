import { Worker } from 'node:worker_threads';
import type { ExperimentResultRecord, TraceWriteBatch } from '@flywheel/core';
import { type ErrorCode, FlywheelError, isErrorCode } from '@flywheel/spec';
import type { StorageOptions } from '../open-storage.js';
import { createFramePool, type FramePool } from './gateway-frame.js';
import { eventsIn, lineBreak } from './ingest-rows.js';
import {
  type GatewayTraceOptions,
  ingestFrame,
  ingestHeaderBytes,
  type WriterData,
  type WriterRequest,
  type WriterResponse,
} from './trace-writer-protocol.js';

/** Options of {@link createThreadedTraceWriter}. */
export interface TraceWriterOptions {
  /** How gateway calls become traces; without it `appendGatewayRecords` fails. */
  gateway?: GatewayTraceOptions;
  /**
   * Acknowledged data that could not be made into traces: gateway calls (`gateway_traces_lost`)
   * or ingested events (`ingest_events_lost`).
   */
  onLoss?(code: 'gateway_traces_lost' | 'ingest_events_lost', message: string): void;
  /** Ingested events waiting in the ingest log, at most (SQLite; default 1,000,000). */
  maxIngestBacklog?: number;
}

/** Writes traces (and experiment results) off the request thread. */
export interface TraceWriter {
  /**
   * Appends ingested batches: on SQLite one row of the ingest log, committed durably when this
   * resolves and merged into the trace tables by the indexer thread (decision 0015); on
   * PostgreSQL, written at once. Throws `ingest_overloaded` when the log holds too many events.
   */
  appendIngest(batches: TraceWriteBatch[]): Promise<void>;
  /** Resolves once every ingest batch appended before it is merged (queries see it). */
  syncIngest(): Promise<void>;
  /**
   * Appends results to a running experiment in one transaction (as `ExperimentStore.appendResults`,
   * same errors); resolves with how many were stored once they are committed.
   */
  appendExperimentResults(
    projectId: string,
    experimentId: string,
    results: ExperimentResultRecord[],
  ): Promise<number>;
  /**
   * Appends a frame of finished gateway calls (see `createGatewayTraceSink`) to the gateway log
   * (SQLite; committed durably when this resolves) for the trace indexer; on PostgreSQL, writes
   * their traces at once. The frame's buffer is transferred to the writer thread.
   */
  appendGatewayFrame(frame: Uint8Array): Promise<void>;
  /** Frame buffers the writer thread handed back, for the gateway trace sink to reuse. */
  readonly gatewayFrames: FramePool;
  /** Resolves once every gateway call appended before it is indexed (its trace can be queried). */
  syncGatewayTraces(): Promise<void>;
  /** Finishes pending writes, closes the writer's connection and stops its thread; idempotent. */
  close(): Promise<void>;
}

/**
 * A trace writer on a worker thread with its own database connection. better-sqlite3 is
 * synchronous, so a batch commit on the main thread (with its fsync) would stall every request
 * in flight; here it stalls only the writer.
 *
 * @example
 * const writer = createThreadedTraceWriter({ dataDir: '.flywheel' });
 * await writer.appendIngest([{ projectId, traces: [], spans: [spanPatch], scores: [] }]);
 */
export function createThreadedTraceWriter(
  options: StorageOptions,
  writerOptions: TraceWriterOptions = {},
): TraceWriter {
  const workerData: WriterData = {
    ...options,
    poolSize: 2,
    gateway: writerOptions.gateway,
    maxIngestBacklog: writerOptions.maxIngestBacklog,
  };
  const worker = new Worker(workerUrl(), {
    workerData,
    ...workerExecArgv(process.execArgv),
  });
  // A forgotten writer must not keep the process alive; shutdown paths call close().
  worker.unref();
  const pending = new Map<number, { resolve(stored: number): void; reject(error: unknown): void }>();
  let nextId = 1;
  const frames = createFramePool();
  let failure: Error | undefined;
  let closed: Promise<void> | undefined;

  const failAll = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('message', (response: WriterResponse) => {
    if (response.id === 0 && !response.ok) {
      writerOptions.onLoss?.(
        response.code === 'ingest_events_lost' ? 'ingest_events_lost' : 'gateway_traces_lost',
        response.message,
      );
      return;
    }
    if (response.ok && response.frame) frames.give(response.frame);
    const waiter = pending.get(response.id);
    if (!waiter) return;
    pending.delete(response.id);
    if (response.ok) waiter.resolve(response.stored ?? 0);
    else
      waiter.reject(
        new FlywheelError(
          isErrorCode(response.code) ? (response.code as ErrorCode) : 'internal_error',
          response.message,
          response.retryAfterSeconds === undefined
            ? undefined
            : { retryAfterSeconds: response.retryAfterSeconds },
        ),
      );
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the trace writer thread stopped (exit code ${code})`)));

  const post = (encode: (id: number) => Uint8Array): Promise<number> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<number>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // The batch crosses threads as UTF-8 bytes whose buffer is transferred, not copied:
      // structured-cloning the objects, or even one large string, cost the request thread
      // ~50 ms per batch of 512 (measured with --cpu-prof).
      const bytes = encode(id);
      worker.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
    });
  };
  const send = (request: WithoutId<WriterRequest>): Promise<number> =>
    post((id) => encoder.encode(JSON.stringify({ ...request, id })));

  return {
    gatewayFrames: frames,
    appendGatewayFrame: async (frame) => {
      await post((id) => {
        new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(1, id, true);
        return frame;
      });
    },
    syncGatewayTraces: async () => {
      await send({ type: 'gateway-sync' });
    },
    appendIngest: async (batches) => {
      // One line of JSON per batch (`ingestRowText`): the indexer parses a row a batch at a time.
      // Each batch is serialized once, also when a large group is split.
      const lines = batches.map((batch) => JSON.stringify(batch));
      let chars = lines.length - 1;
      for (const line of lines) chars += line.length;
      if (chars <= maxIngestRowChars || batches.length === 1) {
        await post((id) => ingestFrameOf(id, eventsOf(batches), lines, chars));
        return;
      }
      // A large group goes as several rows: the indexer reads a transaction's rows whole (as
      // bytes), and its heap is capped.
      const rows: Array<{ batches: TraceWriteBatch[]; lines: string[]; chars: number }> = [];
      let row = { batches: [] as TraceWriteBatch[], lines: [] as string[], chars: -1 };
      for (const [index, line] of lines.entries()) {
        if (row.lines.length > 0 && row.chars + line.length + 1 > maxIngestRowChars) {
          rows.push(row);
          row = { batches: [], lines: [], chars: -1 };
        }
        row.batches.push(batches[index]!);
        row.lines.push(line);
        row.chars += line.length + 1;
      }
      rows.push(row);
      await Promise.all(
        rows.map((some) => post((id) => ingestFrameOf(id, eventsOf(some.batches), some.lines, some.chars))),
      );
    },
    syncIngest: async () => {
      await send({ type: 'ingest-sync' });
    },
    appendExperimentResults: (projectId, experimentId, results) =>
      send({ type: 'experiment-results', projectId, experimentId, results }),
    close() {
      closed ??= (async () => {
        await send({ type: 'close' }).catch(() => undefined);
        await worker.terminate();
      })();
      return closed;
    },
  };
}

const encoder = new TextEncoder();

/**
 * JSON characters of ingested batches per ingest log row, at most (unless one batch is larger):
 * the indexer reads a transaction's rows whole, on a thread whose heap is capped.
 */
const maxIngestRowChars = 4 * 1024 * 1024;

function eventsOf(batches: TraceWriteBatch[]): number {
  let events = 0;
  for (const batch of batches) events += eventsIn(batch);
  return events;
}

/**
 * An ingest frame: the header, then a row's text (`ingestRowText`) as UTF-8: `lines`, the
 * batches' JSON, joined by line breaks, `chars` UTF-16 units in all.
 */
function ingestFrameOf(id: number, events: number, lines: readonly string[], chars: number): Uint8Array {
  // Room for the most UTF-8 can take (three bytes per UTF-16 unit), so each line is encoded in one
  // pass: measuring it first (Buffer.byteLength) was ~3 % of the OTLP request thread, and joining
  // the lines into one string first copied them once more (~6 % of it, --cpu-prof).
  const bytes = Buffer.allocUnsafeSlow(ingestHeaderBytes + chars * 3);
  bytes[0] = ingestFrame;
  bytes.writeUInt32LE(id, 1);
  bytes.writeUInt32LE(events, 5);
  let end = ingestHeaderBytes;
  for (let index = 0; index < lines.length; index++) {
    if (index > 0) bytes[end++] = lineBreak;
    end += bytes.write(lines[index]!, end);
  }
  return bytes.subarray(0, end);
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The worker runs built JavaScript, so the test runner's `--conditions` (which point workspace
 * packages at their TypeScript sources) must not reach it. Without them the worker inherits
 * Node's flags as they are: a `Worker` given `execArgv` refuses V8 flags such as
 * `--max-old-space-size` (ERR_WORKER_INVALID_EXEC_ARGV), and inheriting accepts them, so
 * `node --max-old-space-size=4096 flywheel.js serve` must not pass them explicitly.
 */
function workerExecArgv(argv: readonly string[]): { execArgv?: string[] } {
  const kept: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--conditions' || arg === '-C') index++;
    else if (!arg.startsWith('--conditions=')) kept.push(arg);
  }
  return kept.length === argv.length ? {} : { execArgv: kept };
}

/** The built worker script; tests run from sources, so they use the build that `npm test` makes first. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/trace-writer/trace-writer-worker.js', import.meta.url)
    : new URL('./trace-writer-worker.js', import.meta.url);
}
