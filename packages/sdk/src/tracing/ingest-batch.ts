import type { IngestEvent } from '@flywheel/spec';
import type { BoundedQueue } from './bounded-queue.js';
import { stringifySafely, utf8Length } from './safe-json.js';

/** The next request body, cut from the head of the queue. */
export interface IngestBatch {
  /** `{"batch":[…]}`, ready to send. */
  body: string;
  /** Events it took from the queue: those in `body` plus those it had to leave out. */
  count: number;
  /** Positions (0 to count-1) of the events in `body`, in order. */
  included: number[];
  /** Events in `body`, by event id: per-item errors of a 207 name them. */
  idToPosition: Map<string, number>;
  /** Positions of events JSON could not write. */
  unserializable: number[];
  /** Positions of events larger on their own than a whole request may be. */
  tooLarge: number[];
}

const envelopeBytes = '{"batch":[]}'.length;

/**
 * Serializes events from the head of `queue` (without removing them) until `maxItems` or
 * `maxBytes` would be passed. Serializing here, off the caller's path, is what keeps `enqueue`
 * cheap; one unwritable or oversized event is left out rather than failing its neighbours
 * (a 413 would refuse the whole request).
 */
export function cutIngestBatch(
  queue: BoundedQueue<IngestEvent>,
  maxItems: number,
  maxBytes: number,
): IngestBatch {
  const parts: string[] = [];
  const batch: IngestBatch = {
    body: '',
    count: 0,
    included: [],
    idToPosition: new Map(),
    unserializable: [],
    tooLarge: [],
  };
  let bytes = envelopeBytes;
  const limit = Math.min(maxItems, queue.length);
  for (let position = 0; position < limit; position++) {
    const event = queue.peek(position)!;
    const text = stringifySafely(event);
    if (text === undefined) {
      batch.unserializable.push(position);
      batch.count++;
      continue;
    }
    // The comma (or closing bracket) counts too.
    const size = utf8Length(text) + 1;
    if (envelopeBytes + size > maxBytes) {
      batch.tooLarge.push(position);
      batch.count++;
      continue;
    }
    if (bytes + size > maxBytes) break;
    parts.push(text);
    bytes += size;
    batch.included.push(position);
    batch.idToPosition.set(event.id, position);
    batch.count++;
  }
  batch.body = `{"batch":[${parts.join(',')}]}`;
  return batch;
}
