import type { ServerResponse } from 'node:http';
import type { ChatStreamEvent } from '@flywheel/spec';
import { captureChunk, isUsageOnlyChunk, type StreamCapture } from './stream-capture.js';

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
 * Forwards a provider's events to the client as they come, byte for byte, gathering what the
 * trace needs on the side. Writes wait for the socket to drain, so a slow client holds at most
 * one socket buffer of this stream in memory. A failure after the first byte cannot become an
 * HTTP error any more: the stream then ends with an in-band error event and no `[DONE]`.
 */
export async function pipeChatStream(
  response: ServerResponse,
  events: AsyncIterable<ChatStreamEvent>,
  capture: StreamCapture,
  options: PipeOptions,
): Promise<StreamEnd> {
  try {
    for await (const event of events) {
      if (event.chunk) {
        captureChunk(capture, event.chunk, options.elapsedMs());
        if (options.dropUsageChunk && isUsageOnlyChunk(event.chunk)) continue;
      }
      options.keepEvents?.push(event.raw);
      if (!response.write(event.raw)) await drained(response);
      if (options.clientGone()) return { kind: 'client-closed' };
    }
    response.end();
    return { kind: 'complete' };
  } catch (error) {
    if (options.clientGone()) return { kind: 'client-closed' };
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
