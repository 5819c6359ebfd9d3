/**
 * Lets reads see what ingestion acknowledged before them (decision 0015): ingested events are
 * merged into the trace tables after the answer, by the trace indexer.
 */
export interface IngestReadBarrier {
  /** Counts an acknowledged append (call it once the append resolved). */
  appended(): void;
  /**
   * Resolves once every append counted before the call is merged, or after `waitMs`, whichever
   * comes first; at once when nothing was appended since the last merge seen. Never rejects.
   */
  ready(): Promise<void>;
}

/**
 * A barrier over `sync` (resolves once everything appended before it is merged). Concurrent
 * reads share one sync; a read after a finished sync that covered every append costs one
 * comparison. The first read syncs once, for what an earlier process left unmerged.
 */
export function createIngestReadBarrier(sync: () => Promise<void>, waitMs: number): IngestReadBarrier {
  let appended = 1;
  let synced = 0;
  let syncing: { upTo: number; done: Promise<void> } | undefined;
  return {
    appended() {
      appended++;
    },
    async ready() {
      if (synced >= appended) return;
      if (!syncing || syncing.upTo < appended) {
        const upTo = appended;
        const done = sync().then(
          () => {
            synced = Math.max(synced, upTo);
          },
          // A failed sync must not fail the read: it answers with what is merged.
          () => undefined,
        );
        syncing = { upTo, done };
        void done.finally(() => {
          if (syncing?.done === done) syncing = undefined;
        });
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        syncing.done,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
          timer.unref?.();
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
