import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { FlywheelError } from '@flywheel/spec';
import { createSqliteTraceWrites } from '../dialects/sqlite-trace-writes.js';
import { openStorage, type StorageOptions } from '../open-storage.js';
import type { TraceWriteItem, WriterRequest, WriterResponse } from './trace-writer-protocol.js';

// The writer thread: its own connection, so a commit (an fsync under synchronous=FULL) blocks
// this thread only, never the one answering requests.
const options = workerData as StorageOptions;
const storage = openStorage(options);
// On SQLite the writer owns its connection, so it can run prepared statements directly.
const sqliteWrites = options.databaseUrl
  ? undefined
  : createSqliteTraceWrites(join(options.dataDir, 'flywheel.db'), options.busyTimeoutMs);
const port = parentPort!;

const decoder = new TextDecoder();

port.on('message', (message: Uint8Array) => {
  const request = JSON.parse(decoder.decode(message)) as WriterRequest;
  void handle(request).then((response) => port.postMessage(response));
});

async function handle(request: WriterRequest): Promise<WriterResponse> {
  try {
    if (request.type === 'close') {
      sqliteWrites?.close();
      await storage.close();
      return { id: request.id, ok: true };
    }
    if (sqliteWrites) {
      sqliteWrites.write(request.items);
      return { id: request.id, ok: true };
    }
    await storage.stores.transaction(async (transaction) => {
      for (const [projectId, items] of groupByProject(request.items)) {
        await transaction.traces.writeBatch(projectId, {
          traces: items.map((item) => item.trace),
          spans: items.flatMap((item) => item.spans),
        });
      }
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

function groupByProject(items: TraceWriteItem[]): Map<string, TraceWriteItem[]> {
  const groups = new Map<string, TraceWriteItem[]>();
  for (const item of items) {
    const group = groups.get(item.projectId);
    if (group) group.push(item);
    else groups.set(item.projectId, [item]);
  }
  return groups;
}
