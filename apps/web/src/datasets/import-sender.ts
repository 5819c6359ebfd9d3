import type { FlywheelClient } from '@flywheel/sdk';
import { FlywheelError } from '@flywheel/spec';
import type { ImportRow } from './import-file.js';

/** Items per request: each request is one new version of the dataset. */
export const maxImportBatchSize = 1000;
const maxAttempts = 4;

/** How a finished import went, per item. */
export interface ImportOutcome {
  items: number;
  created: number;
  updated: number;
  unchanged: number;
  /** The dataset's version after the last batch. */
  version: number;
}

/**
 * Sends the rows of a file in batches of up to 1,000, one after the other, reporting how many
 * are stored after each; like `flywheel datasets import`, a batch the server finds too large is
 * halved, and what may succeed later (busy storage) is retried. An error says where the import
 * stopped and that running it again is safe (stored items are reported unchanged).
 */
export async function sendImportRows(
  client: Pick<FlywheelClient, 'datasets'>,
  name: string,
  rows: readonly ImportRow[],
  onProgress: (done: number) => void,
  {
    batchSize = maxImportBatchSize,
    wait = defaultWait,
  }: { batchSize?: number; wait?: (ms: number) => Promise<void> } = {},
): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { items: rows.length, created: 0, updated: 0, unchanged: 0, version: 0 };
  let done = 0;
  const send = async (batch: readonly ImportRow[]): Promise<void> => {
    try {
      const result = await withRetries(
        () => client.datasets.addItems(name, { items: batch.map((row) => row.item) }),
        wait,
      );
      outcome.created += result.created;
      outcome.updated += result.updated;
      outcome.unchanged += result.unchanged;
      outcome.version = result.version;
      done += batch.length;
      onProgress(done);
    } catch (error) {
      if (FlywheelError.is(error) && error.code === 'payload_too_large' && batch.length > 1) {
        // Smaller requests, until each fits under the server's body limit.
        const half = Math.ceil(batch.length / 2);
        await send(batch.slice(0, half));
        await send(batch.slice(half));
        return;
      }
      throw explain(error, batch, done, rows.length);
    }
  };
  for (let start = 0; start < rows.length; start += batchSize)
    await send(rows.slice(start, start + batchSize));
  return outcome;
}

async function withRetries<T>(work: () => Promise<T>, wait: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!FlywheelError.is(error) || !error.isRetryable || attempt >= maxAttempts) throw error;
      await wait(Math.min(Math.max((error.retryAfterSeconds ?? 0) * 1000, 250 * 2 ** attempt), 10_000));
    }
  }
}

const defaultWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The server's error, naming the file's line instead of the item's index in the request, and what is stored. */
function explain(error: unknown, batch: readonly ImportRow[], done: number, total: number): unknown {
  if (!FlywheelError.is(error)) return error;
  let message = error.message;
  const path = Array.isArray(error.details)
    ? (error.details as Array<{ path?: unknown }>).find((issue) => typeof issue.path === 'string')?.path
    : undefined;
  const index = typeof path === 'string' ? /^body\.items\.(\d+)/.exec(path)?.[1] : undefined;
  const row = index === undefined ? undefined : batch[Number(index)];
  if (row) message = `Line ${row.line}: ${message}`;
  if (error.code === 'payload_too_large' && batch.length === 1)
    message = `Line ${batch[0]!.line}: this item alone is larger than the server takes in one request; shorten it.`;
  message +=
    done > 0
      ? ` Stopped after ${done} of ${total} items; those are stored. Import the same file again to add the rest: items already stored are left unchanged.`
      : ' Nothing was stored.';
  return new FlywheelError(error.code, message, {
    cause: error,
    details: error.details,
    status: error.status,
  });
}
