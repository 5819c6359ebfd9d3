import type { IngestEvent, IngestResponseBody } from '@flywheel/spec';

/** Options of {@link createIngestExporter}. */
export interface IngestExporterOptions {
  /** Where Flywheel listens, e.g. `http://127.0.0.1:4000`. */
  baseUrl: string;
  /** A project key with the `ingest` scope. */
  apiKey: string;
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** Events held at most while the server is slow or down; newer ones are dropped and counted (default 10,000). */
  maxQueueSize?: number;
  /** Events per request (default 100). */
  batchSize?: number;
  /** How long an event may wait for a fuller batch, ms (default 1,000). */
  flushIntervalMs?: number;
  /** Timeout of one request, ms (default 10,000). */
  timeoutMs?: number;
  /** Give a batch up after this long of retrying, ms (default 300,000). */
  maxRetryMs?: number;
  /** First retry delay, ms (default 500); doubles per attempt up to `maxRetryDelayMs`, with full jitter. */
  retryDelayMs?: number;
  /** Longest wait between attempts, ms (default 30,000). */
  maxRetryDelayMs?: number;
  /** Told about events the server refused or that were given up on; never throws into the app. */
  onError?(error: IngestExportError): void;
}

/** What went wrong with some events. */
export interface IngestExportError {
  /** `refused`: the server answered 4xx (not retried); `rejected`: items of a 207; `gave-up`: retries ran out. */
  kind: 'refused' | 'rejected' | 'gave-up';
  message: string;
  status?: number;
  events: number;
}

/** Counters of an exporter. */
export interface IngestExporterStats {
  /** Waiting to be sent. */
  queued: number;
  /** Acknowledged by the server. */
  sent: number;
  /** Lost: queue full, refused by the server, retries exhausted, or added after shutdown. */
  dropped: number;
  /** Items the server refused in a 207 answer (also counted in `dropped`). */
  rejected: number;
  /** Attempts repeated after 429, 5xx or network errors. */
  retries: number;
}

/** Sends ingest events in batches; see {@link createIngestExporter}. */
export interface IngestExporter {
  /** Queues an event; never blocks and never throws (a full queue drops and counts it). */
  enqueue(event: IngestEvent): void;
  /** Resolves once every event queued before the call was acknowledged by the server (or dropped, see `stats()`). */
  flush(): Promise<void>;
  /** Flushes, then stops; idempotent. Events queued afterwards are dropped. */
  shutdown(): Promise<void>;
  stats(): IngestExporterStats;
}

interface Queued {
  event: IngestEvent;
  seq: number;
}

const retryable = new Set([408, 429, 500, 502, 503, 504]);

/**
 * A batching exporter for `POST /api/ingest`, modelled on OpenTelemetry's batch processor: a
 * bounded queue, one request at a time, retries on 429/5xx/network errors with exponential
 * backoff and full jitter that honours `Retry-After`, no retry on other 4xx, counters of what
 * was dropped. Events are serialized only when sent, so queuing costs the app next to nothing.
 *
 * @example
 * const exporter = createIngestExporter({ baseUrl: 'http://127.0.0.1:4000', apiKey: process.env.FLYWHEEL_API_KEY! });
 * exporter.enqueue({ id: 'ev1', type: 'trace-create', body: { id: 'tr1', name: 'job' } });
 * await exporter.shutdown();
 */
export function createIngestExporter(options: IngestExporterOptions): IngestExporter {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const url = `${options.baseUrl.replace(/\/+$/, '')}/api/ingest`;
  const maxQueueSize = options.maxQueueSize ?? 10_000;
  const batchSize = options.batchSize ?? 100;
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetryMs = options.maxRetryMs ?? 300_000;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const queue: Queued[] = [];
  const stats: IngestExporterStats = { queued: 0, sent: 0, dropped: 0, rejected: 0, retries: 0 };
  const waiters: Array<{ seq: number; resolve(): void }> = [];
  let lastSeq = 0;
  let settledSeq = 0;
  let sending: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let shutdownPromise: Promise<void> | undefined;

  const report = (error: IngestExportError) => {
    try {
      options.onError?.(error);
    } catch {
      // A throwing callback must not break the exporter.
    }
  };

  function settle(seq: number) {
    settledSeq = Math.max(settledSeq, seq);
    for (let index = waiters.length - 1; index >= 0; index--) {
      if (waiters[index]!.seq <= settledSeq) waiters.splice(index, 1)[0]!.resolve();
    }
  }

  function schedule() {
    if (timer !== undefined || queue.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, flushIntervalMs);
    (timer as { unref?: () => void }).unref?.();
  }

  function pump() {
    if (sending || queue.length === 0) return;
    const batch = queue.splice(0, batchSize);
    stats.queued = queue.length;
    sending = send(batch).finally(() => {
      sending = undefined;
      settle(batch[batch.length - 1]!.seq);
      // Keep going while full batches or flushes wait; otherwise let the interval gather more.
      if (queue.length >= batchSize || waiters.some((waiter) => waiter.seq > settledSeq)) pump();
      else schedule();
    });
  }

  async function send(batch: Queued[]): Promise<void> {
    const body = JSON.stringify({ batch: batch.map((item) => item.event) });
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const outcome = await post(body);
      if (outcome.kind === 'ok') {
        stats.sent += batch.length;
        return;
      }
      if (outcome.kind === 'partial') {
        const rejected = outcome.body.errors.length;
        stats.sent += batch.length - rejected;
        stats.rejected += rejected;
        stats.dropped += rejected;
        report({
          kind: 'rejected',
          status: 207,
          events: rejected,
          message: outcome.body.errors.map((error) => error.message).join('; '),
        });
        return;
      }
      if (outcome.kind === 'refused') {
        stats.dropped += batch.length;
        report({ kind: 'refused', status: outcome.status, events: batch.length, message: outcome.message });
        return;
      }
      const backoff = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** attempt) * Math.random();
      const delay = Math.max(backoff, (outcome.retryAfterSeconds ?? 0) * 1000);
      if (Date.now() - started + delay > maxRetryMs) {
        stats.dropped += batch.length;
        report({
          kind: 'gave-up',
          events: batch.length,
          message: `gave up after ${attempt + 1} attempts: ${outcome.message}`,
        });
        return;
      }
      stats.retries++;
      // A flush someone awaits keeps the process alive through the wait; otherwise it may exit.
      await sleep(delay, waiters.length > 0);
    }
  }

  type Outcome =
    | { kind: 'ok' }
    | { kind: 'partial'; body: IngestResponseBody }
    | { kind: 'refused'; status: number; message: string }
    | { kind: 'retry'; message: string; retryAfterSeconds?: number };

  async function post(body: string): Promise<Outcome> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), timeoutMs);
    (timeout as { unref?: () => void }).unref?.();
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
        body,
        signal: controller.signal,
      });
      const text = await response.text();
      if (response.status === 200) return { kind: 'ok' };
      if (response.status === 207) return { kind: 'partial', body: JSON.parse(text) as IngestResponseBody };
      const message = `HTTP ${response.status}: ${errorMessage(text)}`;
      if (retryable.has(response.status)) {
        const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
        return { kind: 'retry', message, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
      }
      return { kind: 'refused', status: response.status, message };
    } catch (error) {
      return { kind: 'retry', message: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timeout);
    }
  }

  return {
    enqueue(event) {
      if (stopped || queue.length >= maxQueueSize) {
        stats.dropped++;
        return;
      }
      queue.push({ event, seq: ++lastSeq });
      stats.queued = queue.length;
      if (queue.length >= batchSize) pump();
      else schedule();
    },
    flush() {
      if (lastSeq <= settledSeq) return Promise.resolve();
      const done = new Promise<void>((resolve) => waiters.push({ seq: lastSeq, resolve }));
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      pump();
      return done;
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        await this.flush();
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
      })();
      return shutdownPromise;
    },
    stats: () => ({ ...stats, queued: queue.length }),
  };
}

function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    return parsed.error?.message ?? text.slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

const sleep = (ms: number, keepAlive: boolean) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) (timer as { unref?: () => void }).unref?.();
  });
