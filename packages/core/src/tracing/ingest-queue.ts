import { FlywheelError } from '@flywheel/spec';
import type { TraceWriteBatch } from './trace-patch.js';

/** Options of {@link createIngestQueue}. */
export interface IngestQueueOptions {
  /** Commits batches in one transaction; resolves only once they are durable. */
  write(batches: TraceWriteBatch[]): Promise<void>;
  /** Events waiting or being written, at most; beyond it submissions are refused (default 50,000). */
  maxPendingEvents?: number;
  /** Events per transaction, at most (default 5,000). */
  maxEventsPerCommit?: number;
  /**
   * Transactions handed to `write` and not yet settled, at most (default 2). With 2, the next
   * group is already waiting when a commit ends, so a writer on another thread never idles
   * while this thread answers the last commit and sends the next.
   */
  maxCommitsInFlight?: number;
}

/** Counters of an ingest queue. */
export interface IngestQueueStats {
  pendingEvents: number;
  committedEvents: number;
  refusedEvents: number;
  commits: number;
}

/** Acknowledged ingestion: a submission resolves only after its events are committed. */
export interface IngestQueue {
  /**
   * Queues a batch and resolves once it is committed. Throws `ingest_overloaded` (429, with
   * Retry-After) at once when the queue is full, so callers back off instead of memory growing.
   */
  submit(batch: TraceWriteBatch, eventCount: number): Promise<void>;
  /** Resolves when everything submitted so far is committed or failed. */
  drain(): Promise<void>;
  stats(): IngestQueueStats;
}

interface Pending {
  batch: TraceWriteBatch;
  events: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: while transactions are being written, new submissions wait, and the next
 * transaction takes all of them, so one commit (one fsync) covers many requests under load and
 * a lone request is written at once. Up to `maxCommitsInFlight` transactions are handed over at
 * a time (the writer applies them in order): the trace writer thread measured busy ~81 % of the
 * time under load with one, idle while the request thread took the answer and serialized the
 * next group. When a grouped commit fails, its batches are retried one by one, so one bad batch
 * fails only its own request; batches may then be applied out of submission order, which the
 * merge allows (events may arrive in any order).
 */
export function createIngestQueue(options: IngestQueueOptions): IngestQueue {
  const maxPending = options.maxPendingEvents ?? 50_000;
  const maxPerCommit = options.maxEventsPerCommit ?? 5_000;
  const maxInFlight = Math.max(1, options.maxCommitsInFlight ?? 2);
  const waiting: Pending[] = [];
  const stats: IngestQueueStats = { pendingEvents: 0, committedEvents: 0, refusedEvents: 0, commits: 0 };
  const writing = new Set<Promise<void>>();

  async function commit(group: Pending[]): Promise<void> {
    try {
      await options.write(group.map((item) => item.batch));
      stats.commits++;
      for (const item of group) settle(item);
    } catch (error) {
      if (group.length === 1) {
        settle(group[0]!, error);
        return;
      }
      for (const item of group) {
        try {
          await options.write([item.batch]);
          stats.commits++;
          settle(item);
        } catch (itemError) {
          settle(item, itemError);
        }
      }
    }
  }

  function settle(item: Pending, error?: unknown): void {
    stats.pendingEvents -= item.events;
    if (error === undefined) {
      stats.committedEvents += item.events;
      item.resolve();
    } else item.reject(error);
  }

  function pump(): void {
    if (writing.size >= maxInFlight || waiting.length === 0) return;
    const group: Pending[] = [];
    let events = 0;
    while (waiting.length > 0 && (group.length === 0 || events + waiting[0]!.events <= maxPerCommit)) {
      const next = waiting.shift()!;
      events += next.events;
      group.push(next);
    }
    const written: Promise<void> = commit(group).finally(() => {
      writing.delete(written);
      pump();
    });
    writing.add(written);
  }

  return {
    submit(batch, eventCount) {
      if (stats.pendingEvents + eventCount > maxPending) {
        stats.refusedEvents += eventCount;
        return Promise.reject(
          new FlywheelError(
            'ingest_overloaded',
            `Ingestion is behind (${stats.pendingEvents} events waiting to be written); nothing of this request was stored. Retry after the Retry-After delay.`,
            { retryAfterSeconds: 1 },
          ),
        );
      }
      stats.pendingEvents += eventCount;
      return new Promise<void>((resolve, reject) => {
        waiting.push({ batch, events: eventCount, resolve, reject });
        pump();
      });
    },
    async drain() {
      while (writing.size > 0 || waiting.length > 0) {
        if (writing.size > 0) await Promise.all(writing);
        else pump();
      }
    },
    stats: () => ({ ...stats }),
  };
}
