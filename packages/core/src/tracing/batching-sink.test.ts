import { describe, expect, it } from 'vitest';
import { createBatchingSink } from './batching-sink.js';

describe('batching sink', () => {
  it('writes in batches and flushes everything added before forceFlush', async () => {
    const batches: number[][] = [];
    const sink = createBatchingSink<number>({
      exportBatch: async (batch) => void batches.push(batch),
      maxBatchSize: 3,
      scheduledDelayMs: 10_000,
    });
    for (let index = 0; index < 7; index++) sink.add(index);
    await sink.forceFlush();
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(batches.every((batch) => batch.length <= 3)).toBe(true);
    expect(sink.stats()).toMatchObject({ exported: 7, dropped: 0, queued: 0 });
  });

  it('drops and counts when the queue is full, without blocking the caller', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sink = createBatchingSink<number>({
      exportBatch: () => gate,
      maxQueueSize: 2,
      maxBatchSize: 100,
      scheduledDelayMs: 10_000,
    });
    expect([sink.add(1), sink.add(2), sink.add(3)]).toEqual([true, true, false]);
    expect(sink.stats().dropped).toBe(1);
    release();
    await sink.forceFlush();
  });

  it('lets forceFlush resolve after its timer fires on a queue a flush already emptied', async () => {
    const written: number[] = [];
    const sink = createBatchingSink<number>({
      exportBatch: async (batch) => void written.push(...batch),
      scheduledDelayMs: 5,
    });
    sink.add(1);
    await sink.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    sink.add(2);
    await sink.forceFlush();
    expect(written).toEqual([1, 2]);
  });

  it('exports on a timer when the batch never fills', async () => {
    const batches: number[][] = [];
    const sink = createBatchingSink<number>({
      exportBatch: async (batch) => void batches.push(batch),
      scheduledDelayMs: 5,
    });
    sink.add(1);
    await expect.poll(() => batches).toEqual([[1]]);
  });

  it('counts a failed export and keeps going', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const sink = createBatchingSink<number>({
      exportBatch: async () => {
        calls++;
        if (calls === 1) throw new Error('disk full');
      },
      maxBatchSize: 1,
      onExportError: (error) => errors.push(error),
    });
    sink.add(1);
    sink.add(2);
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ failed: 1, exported: 1 });
    expect(errors).toHaveLength(1);
  });

  it('times out an export that hangs', async () => {
    const sink = createBatchingSink<number>({
      exportBatch: () => new Promise(() => {}),
      exportTimeoutMs: 20,
      maxBatchSize: 1,
    });
    sink.add(1);
    await sink.forceFlush();
    expect(sink.stats().failed).toBe(1);
  });

  it('shuts down once, flushing first, and refuses later items', async () => {
    const written: number[] = [];
    const sink = createBatchingSink<number>({
      exportBatch: async (batch) => void written.push(...batch),
      scheduledDelayMs: 10_000,
    });
    sink.add(1);
    const first = sink.shutdown();
    const second = sink.shutdown();
    expect(second).toBe(first);
    await first;
    expect(written).toEqual([1]);
    expect(sink.add(2)).toBe(false);
    expect(sink.stats().dropped).toBe(1);
  });
});
