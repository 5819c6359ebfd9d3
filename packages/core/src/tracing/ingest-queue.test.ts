import { describe, expect, it } from 'vitest';
import { createIngestQueue } from './ingest-queue.js';
import type { TraceWriteBatch } from './trace-patch.js';

const batch = (projectId: string): TraceWriteBatch => ({ projectId, traces: [], spans: [], scores: [] });

describe('ingest queue', () => {
  it('groups submissions that queue during a commit into the next transaction', async () => {
    const commits: string[][] = [];
    let release: () => void = () => {};
    const queue = createIngestQueue({
      write: async (batches) => {
        commits.push(batches.map((item) => item.projectId));
        if (commits.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      maxCommitsInFlight: 1,
    });
    const first = queue.submit(batch('a'), 1);
    const rest = [queue.submit(batch('b'), 1), queue.submit(batch('c'), 1)];
    release();
    await Promise.all([first, ...rest]);
    expect(commits).toEqual([['a'], ['b', 'c']]);
    expect(queue.stats()).toMatchObject({ committedEvents: 3, pendingEvents: 0, commits: 2 });
  });

  it('hands the next group over while a commit is in flight, and groups what waits behind both', async () => {
    const commits: string[][] = [];
    const releases: Array<() => void> = [];
    const queue = createIngestQueue({
      write: async (batches) => {
        commits.push(batches.map((item) => item.projectId));
        await new Promise<void>((resolve) => releases.push(resolve));
      },
    });
    const submitted = [queue.submit(batch('a'), 1), queue.submit(batch('b'), 1)];
    // Two transactions are with the writer; the rest wait for one of them to end.
    expect(commits).toEqual([['a'], ['b']]);
    submitted.push(queue.submit(batch('c'), 1), queue.submit(batch('d'), 1));
    expect(commits).toHaveLength(2);
    releases[0]!();
    await submitted[0];
    await Promise.resolve();
    expect(commits).toEqual([['a'], ['b'], ['c', 'd']]);
    releases[1]!();
    releases[2]!();
    await Promise.all(submitted);
    const drained = queue.drain();
    await expect(drained).resolves.toBeUndefined();
    expect(queue.stats()).toMatchObject({ committedEvents: 4, pendingEvents: 0, commits: 3 });
  });

  it('fails only the batch that cannot be written when a grouped commit fails', async () => {
    let block: Promise<void> | undefined = new Promise<void>((resolve) => setTimeout(resolve, 5));
    const queue = createIngestQueue({
      write: async (batches) => {
        if (block) {
          const wait = block;
          block = undefined;
          await wait;
        }
        if (batches.some((item) => item.projectId === 'bad')) throw new Error('no such project');
      },
      // One transaction at a time, so 'b' and 'bad' wait behind 'a' and are committed as a group.
      maxCommitsInFlight: 1,
    });
    const first = queue.submit(batch('a'), 1);
    const good = queue.submit(batch('b'), 1);
    const bad = queue.submit(batch('bad'), 1);
    await expect(first).resolves.toBeUndefined();
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('no such project');
  });

  it('refuses at once with ingest_overloaded when the queue is full', async () => {
    let release: () => void = () => {};
    let hold = true;
    const queue = createIngestQueue({
      write: () => (hold ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
      maxPendingEvents: 10,
    });
    const held = queue.submit(batch('a'), 8);
    await expect(queue.submit(batch('b'), 5)).rejects.toMatchObject({
      code: 'ingest_overloaded',
      retryAfterSeconds: 1,
    });
    expect(queue.stats().refusedEvents).toBe(5);
    hold = false;
    release();
    await held;
    await expect(queue.submit(batch('c'), 5)).resolves.toBeUndefined();
  });
});
