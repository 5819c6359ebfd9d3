import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { joinTraceBatches } from '@flywheel/core/tracing-writes';
import { FlywheelError } from '@flywheel/spec/errors';
import { createSqliteTraceWrites } from '../dialects/sqlite-trace-writes.js';
import type { Storage, StorageOptions } from '../open-storage.js';
import type { WriterRequest, WriterResponse } from './trace-writer-protocol.js';

// The writer thread: its own connection, so a commit (an fsync under synchronous=FULL) blocks
// this thread only, never the one answering requests. It commits traces and experiment results.
const options = workerData as StorageOptions;
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
const port = parentPort!;

const decoder = new TextDecoder();

let queue: Promise<void> = Promise.resolve();
port.on('message', (message: Uint8Array) => {
  const request = JSON.parse(decoder.decode(message)) as WriterRequest;
  // One request at a time: a write's transaction spans awaits on the writer's one connection.
  queue = queue.then(() => handle(request)).then((response) => port.postMessage(response));
});

async function handle(request: WriterRequest): Promise<WriterResponse> {
  try {
    if (request.type === 'close') {
      sqliteWrites?.close();
      await (await storage)?.close();
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
    // One transaction either way; batches of one project are merged as one.
    const batches = joinTraceBatches(request.batches);
    if (sqliteWrites) {
      await sqliteWrites.write(batches);
      return { id: request.id, ok: true };
    }
    await (await storage!).stores.transaction(async (transaction) => {
      for (const batch of batches) await transaction.traces.write(batch);
    });
    return { id: request.id, ok: true };
  } catch (error) {
    return {
      id: request.id,
      ok: false,
      code: FlywheelError.is(error) ? error.code : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
