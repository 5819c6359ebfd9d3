import type { FlywheelError } from '@flywheel/spec';

/** Why events did not reach the server. */
export type IngestFailureReason =
  /** The queue was full, so new events were dropped (reported once per episode). */
  | 'queue_full'
  /** Events arrived after `shutdown()`, or were still queued when its timeout ran out. */
  | 'shut_down'
  /** The server refused the request in a way retrying cannot fix (400, 401, 403, 413, …). */
  | 'not_retryable'
  /** Every attempt failed (network, 429, 5xx) within the retry budget. */
  | 'retries_exhausted'
  /** The server stored the batch but refused some of its items (207). */
  | 'partially_rejected'
  /** JSON could not write the event (e.g. a `toJSON` that throws). */
  | 'unserializable'
  /** The event alone is larger than `maxBatchBytes`. */
  | 'event_too_large';

/** One refused or dropped item of a 207 answer, as the server described it. */
export interface IngestItemError {
  /** The event's id (`null` when the item had none). */
  id: string | null;
  status: number;
  code: string;
  message: string;
}

/** What an exporter tells `onError`: how many events were lost, and why. */
export interface IngestFailure {
  reason: IngestFailureReason;
  /** `rejected`: the server refused them; `dropped`: they never got a verdict. */
  outcome: 'dropped' | 'rejected';
  /** Events concerned. */
  events: number;
  /** The cause, with the server's stable code when it answered one. */
  error: FlywheelError;
  /** Per-item errors, for `partially_rejected`. */
  items?: IngestItemError[];
}
