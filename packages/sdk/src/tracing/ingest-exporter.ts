import { FlywheelError, type IngestEvent, ingestResponseSchema, maxIngestBatchItems } from '@flywheel/spec';
import { describeError } from '../client/http-error.js';
import { createBoundedQueue } from './bounded-queue.js';
import { createFlushTracker, type FlushOptions, type FlushResult, Outcome } from './flush-tracker.js';
import { cutIngestBatch, type IngestBatch } from './ingest-batch.js';
import type { IngestFailure, IngestFailureReason, IngestItemError } from './ingest-failure.js';
import { postIngestBatch } from './ingest-request.js';
import { backoffDelay } from './retry-delay.js';
import { clearTimer, keepTimerAlive, startTimer, type Timer } from './timers.js';

/** Options of {@link createIngestExporter}. */
export interface IngestExporterOptions {
  /** Where the Flywheel server listens, e.g. `http://127.0.0.1:4000`. */
  baseUrl: string;
  /** A project API key with the `ingest` scope, sent as a bearer token. */
  apiKey: string;
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** Timeout of one request, answer included, ms (default 10,000). */
  timeoutMs?: number;
  /** Events held while waiting to be sent, at most (default 10,000); beyond it new events are dropped. */
  maxQueueSize?: number;
  /** Events per request, at most (default 100; the server takes up to 5,000). */
  batchSize?: number;
  /** UTF-8 bytes per request body, at most (default 4 MiB; the server's default limit is 10 MiB). */
  maxBatchBytes?: number;
  /** How long an event may wait for a batch to fill, ms (default 1,000). */
  flushIntervalMs?: number;
  /** First backoff bound, ms (default 500); it doubles per retry, with full jitter. */
  retryDelayMs?: number;
  /** Cap of one backoff, ms (default 30,000). A longer `Retry-After` is still honoured. */
  maxRetryDelayMs?: number;
  /** Give a batch up once retrying it would last longer than this, ms (default 300,000). */
  maxRetryMs?: number;
  /** Give a batch up after this many attempts, the first included (default 20). */
  maxAttempts?: number;
  /**
   * Told about every loss: refused and dropped events, with the reason. Called on the exporter's
   * own schedule, never on the caller's path; what it throws is ignored. Default: `console.warn`.
   */
  onError?: (failure: IngestFailure) => void;
}

/** Counters of an exporter since it was created. */
export interface IngestExporterStats {
  /** Events accepted and not yet settled (waiting, or in the request in flight). */
  queued: number;
  /** Events the server acknowledged. */
  sent: number;
  /** Events lost without a verdict: queue full, retries exhausted, refused requests, shutdown. */
  dropped: number;
  /** Events the server refused one by one (207); not counted in `dropped`. */
  rejected: number;
  /** Requests repeated after a network error, timeout, 408, 429 or 5xx. */
  retries: number;
}

/** Sends ingest events to `POST /api/ingest` in batches, off the caller's path. */
export interface IngestExporter {
  /**
   * Queues one event: O(1), no serialization, never throws. `false` when it was dropped (queue
   * full, or shut down). The event is serialized when sent, so it must not be changed afterwards.
   */
  enqueue(event: IngestEvent): boolean;
  /**
   * Sends everything accepted so far and resolves once the server acknowledged it (2xx), or once
   * each of those events was refused or dropped. Never rejects: the result says which.
   */
  flush(options?: FlushOptions): Promise<FlushResult>;
  /**
   * Stops accepting events, flushes, and stops. Idempotent: later calls return the first call's
   * promise. When `timeoutMs` runs out, what is still queued or in flight is dropped.
   */
  shutdown(options?: FlushOptions): Promise<FlushResult>;
  stats(): IngestExporterStats;
}

/**
 * A bounded, batching exporter of ingest events, after OpenTelemetry's batch span processor. One
 * request is in flight at a time; network failures, timeouts, 408, 429 and 5xx are retried with
 * full-jitter backoff (never sooner than `Retry-After`) within an attempt and time budget; other
 * refusals (400, 401, 403, 413, …) are not. Losses are counted and told to `onError`, never
 * thrown into the host app; timers are unref'd, so an idle exporter never keeps Node running.
 *
 * @example
 * const exporter = createIngestExporter({ baseUrl: 'http://127.0.0.1:4000', apiKey: 'fw_sk_…' });
 * exporter.enqueue({ id: 'ev1', type: 'trace-create', timestamp: new Date().toISOString(), body: { id: 't1', name: 'job' } });
 * const result = await exporter.shutdown({ timeoutMs: 5_000 });
 * if (!result.ok) console.warn(result.failures);
 */
export function createIngestExporter(options: IngestExporterOptions): IngestExporter {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const url = `${options.baseUrl.replace(/\/+$/, '')}/api/ingest`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 100, maxIngestBatchItems));
  const maxBatchBytes = options.maxBatchBytes ?? 4 * 1024 * 1024;
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const maxAttempts = options.maxAttempts ?? 20;
  const maxRetryMs = options.maxRetryMs ?? 300_000;
  const backoff = {
    initialDelayMs: options.retryDelayMs ?? 500,
    maxDelayMs: options.maxRetryDelayMs ?? 30_000,
  };
  const onError = options.onError ?? warn;
  const queue = createBoundedQueue<IngestEvent>(options.maxQueueSize ?? 10_000);
  const tracker = createFlushTracker();
  const counters = { sent: 0, dropped: 0, rejected: 0, retries: 0 };
  // Aborts the request in flight and any backoff wait when shutdown's timeout runs out.
  const stop = new AbortController();

  // Events are numbered in the order they are accepted: `accepted` is the next number, `taken`
  // the next to leave the queue.
  let accepted = 0;
  let taken = 0;
  let overflowing = false;
  let closing = false;
  let reportedLateEvent = false;
  let drainAll = false;
  let tick: Timer | undefined;
  let pumping: Promise<void> | undefined;
  let pumpScheduled = false;
  let backoffTimer: Timer | undefined;
  let shutdownPromise: Promise<FlushResult> | undefined;

  function report(lost: IngestFailure, batchFailures?: IngestFailure[]) {
    batchFailures?.push(lost);
    try {
      onError(lost);
    } catch {
      // A broken error handler must not break the export loop.
    }
  }

  function enqueue(event: IngestEvent): boolean {
    if (closing) {
      counters.dropped++;
      if (!reportedLateEvent) {
        reportedLateEvent = true;
        report(
          failure('shut_down', 1, 'shutting_down', 'An event arrived after shutdown() and was dropped.'),
        );
      }
      return false;
    }
    if (!queue.push(event)) {
      counters.dropped++;
      // Once per episode: a full queue under load would otherwise report every single event.
      if (!overflowing) {
        overflowing = true;
        report(
          failure(
            'queue_full',
            1,
            'ingest_overloaded',
            `The ingest queue is full (${queue.capacity} events): new events are dropped and counted in stats().dropped until it drains.`,
          ),
        );
      }
      return false;
    }
    accepted++;
    if (queue.length >= batchSize) schedulePump();
    else tick ??= startTimer(onTick, flushIntervalMs, false);
    return true;
  }

  function onTick() {
    tick = undefined;
    drainAll = true;
    void pump();
  }

  function schedulePump() {
    if (pumpScheduled || pumping) return;
    pumpScheduled = true;
    // Deferred, so the enqueue that fills a batch does not pay for serializing it.
    queueMicrotask(() => {
      pumpScheduled = false;
      void pump();
    });
  }

  const due = () =>
    queue.length >= batchSize || (queue.length > 0 && (drainAll || closing || tracker.waitsBeyond(taken)));

  function pump(): Promise<void> {
    pumping ??= run()
      .catch((error: unknown) => {
        // Only a bug gets here; an unhandled rejection would take a Node host app down with it.
        report(failure('not_retryable', 0, 'internal_error', `Exporter failure: ${describeError(error)}`));
      })
      .finally(() => {
        pumping = undefined;
        if (due()) void pump();
        else if (queue.length > 0 && !closing) tick ??= startTimer(onTick, flushIntervalMs, false);
      });
    return pumping;
  }

  async function run(): Promise<void> {
    while (due()) {
      if (stop.signal.aborted) {
        dropQueued();
        break;
      }
      await sendNext();
    }
    drainAll = false;
  }

  function dropQueued() {
    const start = taken;
    const count = queue.take(queue.length).length;
    if (count === 0) return;
    taken += count;
    const lost = failure(
      'shut_down',
      count,
      'shutting_down',
      'Events were still queued when shutdown() timed out.',
    );
    report(lost);
    settle(start, new Uint8Array(count).fill(Outcome.Dropped), [lost]);
  }

  async function sendNext(): Promise<void> {
    const start = taken;
    const batch = cutIngestBatch(queue, batchSize, maxBatchBytes);
    queue.take(batch.count);
    taken += batch.count;
    if (queue.length < queue.capacity / 2) overflowing = false;
    const outcomes = new Uint8Array(batch.count);
    const batchFailures: IngestFailure[] = [];
    const leftOut = [
      [batch.unserializable, 'unserializable', 'JSON could not write the event.'],
      [batch.tooLarge, 'event_too_large', `The event alone is larger than maxBatchBytes (${maxBatchBytes}).`],
    ] as const;
    for (const [positions, reason, message] of leftOut) {
      if (positions.length === 0) continue;
      for (const position of positions) outcomes[position] = Outcome.Dropped;
      report(failure(reason, positions.length, 'invalid_argument', message), batchFailures);
    }
    if (batch.included.length > 0) await deliver(batch, outcomes, batchFailures);
    settle(start, outcomes, batchFailures);
  }

  function settle(start: number, outcomes: Uint8Array, batchFailures: IngestFailure[]) {
    for (const outcome of outcomes) {
      if (outcome === Outcome.Sent) counters.sent++;
      else if (outcome === Outcome.Rejected) counters.rejected++;
      else counters.dropped++;
    }
    tracker.settle(start, outcomes, batchFailures);
  }

  async function deliver(batch: IngestBatch, outcomes: Uint8Array, batchFailures: IngestFailure[]) {
    const firstAttemptAt = Date.now();
    const giveUp = (reason: IngestFailureReason, error: FlywheelError) => {
      for (const position of batch.included) outcomes[position] = Outcome.Dropped;
      report({ reason, outcome: 'dropped', events: batch.included.length, error }, batchFailures);
    };
    for (let attempt = 1; ; attempt++) {
      const result = await postIngestBatch({
        fetch: fetchImpl,
        url,
        apiKey: options.apiKey,
        timeoutMs,
        body: batch.body,
        stop: stop.signal,
      });
      if (result.kind === 'acknowledged') return acknowledge(batch, outcomes, result.json, batchFailures);
      if (result.kind === 'failed') return giveUp(result.reason, result.error);
      const delay = backoffDelay(attempt - 1, backoff, result.retryAfterMs);
      if (attempt >= maxAttempts || Date.now() + delay - firstAttemptAt > maxRetryMs)
        return giveUp('retries_exhausted', result.error);
      counters.retries++;
      await sleep(delay);
      if (stop.signal.aborted)
        return giveUp(
          'shut_down',
          new FlywheelError('shutting_down', 'shutdown() timed out while retrying.'),
        );
    }
  }

  function acknowledge(
    batch: IngestBatch,
    outcomes: Uint8Array,
    json: unknown,
    batchFailures: IngestFailure[],
  ) {
    for (const position of batch.included) outcomes[position] = Outcome.Sent;
    // A 2xx whose body is not the documented shape (a proxy, an older server) still stored the batch.
    const parsed = ingestResponseSchema.safeParse(json);
    if (!parsed.success || parsed.data.errors.length === 0) return;
    const items: IngestItemError[] = parsed.data.errors;
    let refused = 0;
    for (const item of items) {
      const position = item.id === null ? undefined : batch.idToPosition.get(item.id);
      if (position === undefined || outcomes[position] !== Outcome.Sent) continue;
      outcomes[position] = Outcome.Rejected;
      refused++;
    }
    const first = items[0]!;
    const error = new FlywheelError(
      'validation_failed',
      `The server refused ${refused} event(s): ${first.message}`,
      {
        status: first.status,
        details: items,
      },
    );
    report(
      { reason: 'partially_rejected', outcome: 'rejected', events: refused, error, items },
      batchFailures,
    );
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (stop.signal.aborted) return resolve();
      const done = () => {
        stop.signal.removeEventListener('abort', done);
        clearTimer(backoffTimer);
        backoffTimer = undefined;
        resolve();
      };
      stop.signal.addEventListener('abort', done);
      // Held open only while someone awaits a flush: an app that is otherwise done may exit.
      backoffTimer = startTimer(done, ms, tracker.waiting || closing);
    });
  }

  function flush(flushOptions: FlushOptions = {}): Promise<FlushResult> {
    const done = tracker.wait(accepted, flushOptions.timeoutMs);
    // A backoff started as "let the app exit" must now hold it open: someone awaits the outcome.
    keepTimerAlive(backoffTimer);
    void pump();
    return done;
  }

  function shutdown(shutdownOptions: FlushOptions = {}): Promise<FlushResult> {
    shutdownPromise ??= (async () => {
      closing = true;
      clearTimer(tick);
      tick = undefined;
      const result = await flush(shutdownOptions);
      if (!result.timedOut) return result;
      stop.abort();
      await pumping;
      dropQueued();
      return { ...result, dropped: result.dropped + result.pending, pending: 0 };
    })();
    return shutdownPromise;
  }

  return {
    enqueue,
    flush,
    shutdown,
    stats: () => ({ queued: accepted - tracker.settled, ...counters }),
  };
}

function failure(
  reason: IngestFailureReason,
  events: number,
  code: 'shutting_down' | 'ingest_overloaded' | 'invalid_argument' | 'internal_error',
  message: string,
): IngestFailure {
  return { reason, outcome: 'dropped', events, error: new FlywheelError(code, message) };
}

function warn(lost: IngestFailure) {
  console.warn(
    `[flywheel] ${lost.events} trace event(s) ${lost.outcome} (${lost.reason}): ${lost.error.message}`,
  );
}
