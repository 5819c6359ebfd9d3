/** Options of {@link createBatchingSink}. */
export interface BatchingSinkOptions<T> {
  /** Writes one batch; the sink never calls it twice at once. */
  exportBatch(batch: T[]): Promise<void>;
  /** Items held at most; beyond it new items are dropped and counted (default 10,000). */
  maxQueueSize?: number;
  /** Items per export (default 512). */
  maxBatchSize?: number;
  /** How long an item may wait for a fuller batch (ms, default 200). */
  scheduledDelayMs?: number;
  /** How long one export may take before it counts as failed (ms, default 30,000). */
  exportTimeoutMs?: number;
  /** Called when an export fails (the batch is dropped and counted). */
  onExportError?(error: unknown, batch: T[]): void;
}

/** Counters of a sink. */
export interface BatchingSinkStats {
  queued: number;
  exported: number;
  /** Refused because the queue was full, or added after shutdown. */
  dropped: number;
  /** Lost in failed exports. */
  failed: number;
}

/**
 * A bounded, batching, asynchronous writer, so no request ever waits on storage. Modelled on
 * OpenTelemetry's BatchSpanProcessor: a full queue drops and counts instead of growing; exports
 * time out; `forceFlush()` resolves once everything added before it is written; `shutdown()` is
 * idempotent; the timer never keeps the process alive.
 */
export interface BatchingSink<T> {
  /** Queues an item; false when it was dropped. Never blocks. */
  add(item: T): boolean;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  stats(): BatchingSinkStats;
}

/** A new sink. */
export function createBatchingSink<T>(options: BatchingSinkOptions<T>): BatchingSink<T> {
  const maxQueueSize = options.maxQueueSize ?? 10_000;
  const maxBatchSize = options.maxBatchSize ?? 512;
  const scheduledDelayMs = options.scheduledDelayMs ?? 200;
  const exportTimeoutMs = options.exportTimeoutMs ?? 30_000;
  const queue: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let exporting: Promise<void> | undefined;
  let shutDown: Promise<void> | undefined;
  const stats: BatchingSinkStats = { queued: 0, exported: 0, dropped: 0, failed: 0 };

  async function exportOnce(batch: T[]): Promise<void> {
    let timeout: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        options.exportBatch(batch),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(
            () => reject(new Error(`export timed out after ${exportTimeoutMs} ms`)),
            exportTimeoutMs,
          );
          unref(timeout);
        }),
      ]);
      stats.exported += batch.length;
    } catch (error) {
      stats.failed += batch.length;
      options.onExportError?.(error, batch);
    } finally {
      if (timeout !== undefined) clearTimeout(timeout);
    }
  }

  /** Exports until the queue is empty; one drain at a time. */
  function drain(): Promise<void> {
    if (exporting) return exporting;
    if (queue.length === 0) return Promise.resolve();
    let current: Promise<void> | undefined;
    current = (async () => {
      // Yield first, so `exporting` is assigned before this body can finish and clear it.
      await Promise.resolve();
      try {
        while (queue.length > 0) {
          const batch = queue.splice(0, maxBatchSize);
          stats.queued = queue.length;
          await exportOnce(batch);
        }
      } finally {
        if (exporting === current) exporting = undefined;
      }
    })();
    exporting = current;
    return exporting;
  }

  function schedule() {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain().then(() => {
        if (queue.length > 0) schedule();
      });
    }, scheduledDelayMs);
    unref(timer);
  }

  return {
    add(item) {
      if (shutDown !== undefined || queue.length >= maxQueueSize) {
        stats.dropped++;
        return false;
      }
      queue.push(item);
      stats.queued = queue.length;
      if (queue.length >= maxBatchSize) void drain();
      else schedule();
      return true;
    },
    async forceFlush() {
      while (exporting !== undefined || queue.length > 0) {
        if (exporting) await exporting;
        else await drain();
      }
    },
    shutdown() {
      shutDown ??= (async () => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        await this.forceFlush();
      })();
      return shutDown;
    },
    stats: () => ({ ...stats }),
  };
}

// Node timers can be unref'd so a pending flush never keeps a process alive; browsers' cannot.
function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
