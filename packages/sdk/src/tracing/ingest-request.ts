import { FlywheelError } from '@flywheel/spec';
import { describeError, parseJson, responseError } from '../client/http-error.js';
import type { IngestFailureReason } from './ingest-failure.js';
import { parseRetryAfter, retryableStatuses } from './retry-delay.js';
import { clearTimer, startTimer } from './timers.js';

/** The outcome of one `POST /api/ingest`. */
export type IngestAttempt =
  /** 2xx: the events are stored (but for the items a 207 lists). */
  | { kind: 'acknowledged'; json: unknown }
  /** Worth another try: network failure, timeout, 408, 429, 5xx. */
  | { kind: 'retry'; error: FlywheelError; retryAfterMs: number | undefined }
  /** Not worth another try. */
  | { kind: 'failed'; reason: IngestFailureReason; error: FlywheelError };

/** What {@link postIngestBatch} needs. */
export interface IngestRequest {
  fetch: typeof globalThis.fetch;
  /** The full URL of `/api/ingest`. */
  url: string;
  apiKey: string;
  /** For the whole exchange, answer body included, ms. */
  timeoutMs: number;
  /** The serialized batch. */
  body: string;
  /** Aborted when shutdown gives up: the request is cut and reported as `shut_down`. */
  stop: AbortSignal;
}

/**
 * Sends one batch and classifies the answer. Never throws: every failure is a value the
 * exporter's retry loop can act on.
 */
export async function postIngestBatch(request: IngestRequest): Promise<IngestAttempt> {
  const shutDown = (message: string): IngestAttempt => ({
    kind: 'failed',
    reason: 'shut_down',
    error: new FlywheelError('shutting_down', message),
  });
  if (request.stop.aborted) return shutDown('shutdown() timed out before the request.');
  const controller = new AbortController();
  const abort = () => controller.abort();
  request.stop.addEventListener('abort', abort);
  const timeout = startTimer(abort, request.timeoutMs, false);
  let response: Response;
  let text: string;
  try {
    response = await request.fetch(request.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${request.apiKey}`, 'content-type': 'application/json' },
      body: request.body,
      signal: controller.signal,
    });
    text = await response.text();
  } catch (error) {
    if (request.stop.aborted) return shutDown('shutdown() timed out with the request in flight.');
    const message = controller.signal.aborted
      ? `No answer from ${request.url} within ${request.timeoutMs} ms.`
      : `Cannot reach the Flywheel server at ${request.url}: ${describeError(error)}`;
    return {
      kind: 'retry',
      error: new FlywheelError('server_unreachable', message, { cause: error }),
      retryAfterMs: undefined,
    };
  } finally {
    clearTimer(timeout);
    request.stop.removeEventListener('abort', abort);
  }
  const json = parseJson(text);
  if (response.ok) return { kind: 'acknowledged', json };
  const error = responseError(response, json, text);
  if (!retryableStatuses.has(response.status)) return { kind: 'failed', reason: 'not_retryable', error };
  return {
    kind: 'retry',
    error,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
  };
}
