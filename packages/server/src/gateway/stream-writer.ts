import type { ServerResponse } from 'node:http';
import type { ForwardedStream } from '@flywheel/core';
import type { ChatStreamEvent } from '@flywheel/spec';

/**
 * A forwarded stream as the trace needs it: every event the provider sent (the usage-only chunk
 * included, even when the client does not see it), and when each arrived (ms from the request's
 * start). Only references to the bytes are kept until the call is queued for its trace.
 */
export type { ForwardedStream };

/** An empty {@link ForwardedStream}. */
export function newForwardedStream(): ForwardedStream {
  return { events: [], times: [] };
}

/** How a stream ended. */
export type StreamEnd = { kind: 'complete' } | { kind: 'failed'; error: unknown } | { kind: 'client-closed' };

/** Options of {@link pipeChatStream}. */
export interface PipeOptions {
  /** Drop the usage-only chunk: the gateway asked for it, the client did not. */
  dropUsageChunk: boolean;
  /** Time since the request started, ms. */
  elapsedMs: () => number;
  /** Keep every forwarded event, for the response cache. */
  keepEvents?: Uint8Array[];
  /** Whether the client is gone (its socket closed). */
  clientGone: () => boolean;
}

/**
 * Forwards a provider's events to the client as they come, byte for byte, keeping them (by
 * reference) for the trace. Writes wait for the socket to drain, so a slow client holds at most
 * one socket buffer (and one upstream read) of this stream in memory. A failure after the first
 * byte cannot become an HTTP error any more: the stream then ends with an in-band error event
 * and no `[DONE]`.
 *
 * A provider often sends many events in one read (a fast local model, a burst after a pause).
 * The first event leaves at once: handling the others before it cost ~0.15 ms of time to first
 * byte at one connection (21 events in one read). The others of a read are written together, as
 * one chunk, once the read is handled (a `process.nextTick` runs after the promise jobs the read
 * set off): one chunked-encoding frame per read instead of one per event, which costs the request
 * thread less than Node's own coalescing of the same writes.
 */
export async function pipeChatStream(
  response: ServerResponse,
  events: AsyncIterable<ChatStreamEvent>,
  capture: ForwardedStream,
  options: PipeOptions,
): Promise<StreamEnd> {
  let pending: Uint8Array[] = [];
  let scheduled = false;
  let blocked: Promise<void> | undefined;
  const send = (bytes: Uint8Array) => {
    const flowing = response.write(bytes);
    // Out now, not at Node's next-tick uncork.
    response.uncork();
    if (!flowing && blocked === undefined) {
      blocked = drained(response).then(() => {
        blocked = undefined;
      });
    }
  };
  /** The events waiting to be written, as one chunk (undefined when none). */
  const takePending = (): Uint8Array | undefined => {
    scheduled = false;
    if (pending.length === 0) return undefined;
    const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    return bytes;
  };
  const flush = () => {
    const bytes = takePending();
    if (bytes && !response.writableEnded && !response.destroyed) send(bytes);
  };
  let first = true;
  try {
    for await (const event of events) {
      capture.events.push(event.raw);
      capture.times.push(options.elapsedMs());
      if (options.dropUsageChunk && event.usageOnly) continue;
      options.keepEvents?.push(event.raw);
      if (first) {
        first = false;
        send(event.raw);
      } else {
        pending.push(event.raw);
        if (!scheduled) {
          scheduled = true;
          process.nextTick(flush);
        }
      }
      if (blocked !== undefined) await blocked;
      if (options.clientGone()) return { kind: 'client-closed' };
    }
    // The events still waiting and the end of the chunked body leave in one write (one system
    // call instead of two: ~4 % of the request thread with 20-event streams, bench/gateway).
    const rest = takePending();
    if (rest) response.end(rest);
    else response.end();
    return { kind: 'complete' };
  } catch (error) {
    if (options.clientGone()) return { kind: 'client-closed' };
    flush();
    const message = error instanceof Error ? error.message : 'The provider stream failed.';
    const code = (error as { code?: unknown }).code;
    response.end(
      `data: ${JSON.stringify({ error: { message, type: 'api_error', code: typeof code === 'string' ? code : 'upstream_error', param: null } })}\n\n`,
    );
    return { kind: 'failed', error };
  }
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
