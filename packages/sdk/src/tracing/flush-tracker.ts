import type { IngestFailure } from './ingest-failure.js';
import { clearTimer, startTimer, type Timer } from './timers.js';

/** Options of `flush()` and `shutdown()`. */
export interface FlushOptions {
  /** Resolve after this many ms even if events are still pending (on `flush` they stay queued). */
  timeoutMs?: number;
}

/** What became of the events accepted before a `flush()` (or `shutdown()`) call. */
export interface FlushResult {
  /** Every one of them was acknowledged by the server. */
  ok: boolean;
  /** Acknowledged (2xx). */
  sent: number;
  /** Refused by the server item by item (207). */
  rejected: number;
  /** Lost without a verdict (see `failures`). */
  dropped: number;
  /** Not yet settled: non-zero only when `timeoutMs` ran out. */
  pending: number;
  /** `timeoutMs` ran out first. */
  timedOut: boolean;
  /** Why events were lost (the first 20 reports). */
  failures: IngestFailure[];
}

/** What became of one event of a batch: a byte each in a Uint8Array, no object per event. */
export const Outcome = { Pending: 0, Sent: 1, Rejected: 2, Dropped: 3 } as const;

/**
 * Who waits for which events. Events are numbered in the order they are accepted and settle in
 * that order (one request in flight, first in first out), so "everything accepted before the
 * flush call" is every number below the count at the call.
 */
export interface FlushTracker {
  /** Events settled so far: every number below it has its verdict. */
  readonly settled: number;
  /** Someone waits for events numbered `from` or later. */
  waitsBeyond(from: number): boolean;
  /** Someone waits at all. */
  readonly waiting: boolean;
  /** Resolves once every event numbered below `target` is settled, or after `timeoutMs`. */
  wait(target: number, timeoutMs: number | undefined): Promise<FlushResult>;
  /** Records the verdicts of events `start` to `start + outcomes.length - 1`. */
  settle(start: number, outcomes: Uint8Array, failures: IngestFailure[]): void;
}

interface Waiter {
  target: number;
  result: FlushResult;
  resolve(result: FlushResult): void;
  timer: Timer | undefined;
}

const maxReportedFailures = 20;

/**
 * A {@link FlushTracker}.
 *
 * @example
 * const tracker = createFlushTracker();
 * const done = tracker.wait(2, undefined);
 * tracker.settle(0, Uint8Array.of(Outcome.Sent, Outcome.Dropped), []);
 * (await done).ok; // false: one was dropped
 */
export function createFlushTracker(): FlushTracker {
  const waiters: Waiter[] = [];
  let settled = 0;

  function finish(waiter: Waiter, timedOut: boolean) {
    const index = waiters.indexOf(waiter);
    if (index === -1) return;
    waiters.splice(index, 1);
    clearTimer(waiter.timer);
    const result = waiter.result;
    result.timedOut = timedOut;
    result.pending = timedOut ? Math.max(0, waiter.target - settled) : 0;
    result.ok = !timedOut && result.dropped === 0 && result.rejected === 0;
    waiter.resolve(result);
  }

  return {
    get settled() {
      return settled;
    },
    get waiting() {
      return waiters.length > 0;
    },
    waitsBeyond: (from) => waiters.some((waiter) => waiter.target > from),
    wait(target, timeoutMs) {
      const result: FlushResult = {
        ok: true,
        sent: 0,
        rejected: 0,
        dropped: 0,
        pending: 0,
        timedOut: false,
        failures: [],
      };
      if (settled >= target) return Promise.resolve(result);
      return new Promise((resolve) => {
        const waiter: Waiter = { target, result, resolve, timer: undefined };
        waiters.push(waiter);
        // Held open: the caller awaits this (a script's last `await shutdown()` must finish).
        if (timeoutMs !== undefined) waiter.timer = startTimer(() => finish(waiter, true), timeoutMs, true);
      });
    },
    settle(start, outcomes, failures) {
      const end = start + outcomes.length;
      settled = Math.max(settled, end);
      for (const waiter of [...waiters]) {
        if (waiter.target <= start) continue;
        const result = waiter.result;
        for (let seq = start; seq < Math.min(end, waiter.target); seq++) {
          const outcome = outcomes[seq - start];
          if (outcome === Outcome.Sent) result.sent++;
          else if (outcome === Outcome.Rejected) result.rejected++;
          else result.dropped++;
        }
        for (const lost of failures)
          if (result.failures.length < maxReportedFailures) result.failures.push(lost);
        if (waiter.target <= end) finish(waiter, false);
      }
    },
  };
}
