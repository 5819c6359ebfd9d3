import { describe, expect, it } from 'vitest';
import { createIngestReadBarrier } from './ingest-read-barrier.js';

/** A sync that resolves when the test says so, counting its calls. */
function controlledSync() {
  const pending: Array<() => void> = [];
  const sync = () => new Promise<void>((resolve) => pending.push(resolve));
  const finishAll = () => {
    for (const resolve of pending.splice(0)) resolve();
  };
  return { sync, pending, finishAll };
}

const settled = async (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('createIngestReadBarrier', () => {
  it('syncs once at the first read (what an earlier process left), then not while nothing is appended', async () => {
    const { sync, pending, finishAll } = controlledSync();
    const barrier = createIngestReadBarrier(sync, 10_000);
    const first = barrier.ready();
    expect(pending).toHaveLength(1);
    expect(await settled(first)).toBe(false);
    finishAll();
    await first;
    await barrier.ready();
    expect(pending).toHaveLength(0);
  });

  it('makes a read after an append wait for the merge, and concurrent reads share one sync', async () => {
    const { sync, pending, finishAll } = controlledSync();
    const barrier = createIngestReadBarrier(sync, 10_000);
    const warm = barrier.ready();
    finishAll();
    await warm;
    barrier.appended();
    const reads = [barrier.ready(), barrier.ready()];
    expect(pending).toHaveLength(1);
    expect(await settled(Promise.all(reads).then(() => undefined))).toBe(false);
    finishAll();
    await Promise.all(reads);
    // Covered: no new sync for the next read.
    await barrier.ready();
    expect(pending).toHaveLength(0);
  });

  it('syncs again for an append made while a sync was running', async () => {
    const { sync, pending, finishAll } = controlledSync();
    const barrier = createIngestReadBarrier(sync, 10_000);
    const first = barrier.ready();
    barrier.appended();
    const second = barrier.ready();
    expect(pending).toHaveLength(2);
    finishAll();
    await Promise.all([first, second]);
  });

  it('answers after the wait bound when the merge is slower, and when the sync fails', async () => {
    const slow = createIngestReadBarrier(() => new Promise<void>(() => undefined), 20);
    await slow.ready();
    const failing = createIngestReadBarrier(() => Promise.reject(new Error('writer stopped')), 10_000);
    await failing.ready();
  });
});
