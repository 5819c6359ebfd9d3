import { type ChatStreamEvent, type PhaseTimeouts, UpstreamError } from '@flywheel/spec';
import type { CallDeadline } from '../transport/call-deadline.js';
import type { TransportResponse } from '../transport/http-transport.js';
import { parseChatEvent, serverSentEventBatches } from '../transport/server-sent-events.js';

/**
 * The events of an OpenAI-format stream, with the idle timeout re-armed after each one. A
 * provider error event, a stall, a reset, or an end before the stream finished all throw an
 * UpstreamError; a consumer that stops early aborts the upstream request.
 */
export async function* readOpenAIChatStream(
  response: TransportResponse,
  deadline: CallDeadline,
  timeouts: PhaseTimeouts,
  provider: string,
): AsyncIterable<ChatStreamEvent> {
  let finished = false;
  let complete = false;
  try {
    for await (const events of serverSentEventBatches(response.body)) {
      for (const raw of events) {
        const event = parseChatEvent(raw);
        if (event.error !== undefined) {
          const body = event.error as { message?: unknown; type?: unknown };
          throw new UpstreamError(
            'upstream_error',
            `${provider} sent an error inside the stream: ${typeof body.message === 'string' ? body.message : JSON.stringify(body)}`,
            {
              retryable: body.type !== 'invalid_request_error',
              phase: 'stream',
              upstreamBody: { error: body },
            },
          );
        }
        if (event.chunk === undefined && !event.done) {
          // Comments and keep-alives pass through but prove nothing about progress.
          yield event;
          continue;
        }
        deadline.arm('idle', timeouts.idleMs);
        if (event.chunk?.choices?.some((choice) => choice.finish_reason)) finished = true;
        if (event.done) {
          complete = true;
          yield { raw: event.raw, done: true };
          void response.discard();
          return;
        }
        yield { raw: event.raw, chunk: event.chunk! };
      }
    }
    if (!finished) {
      throw new UpstreamError('upstream_error', `${provider} closed the stream before it was complete.`, {
        retryable: true,
        phase: 'stream',
      });
    }
    complete = true;
  } catch (error) {
    throw deadline.signal.aborted ? deadline.reason() : error;
  } finally {
    if (!complete) deadline.abort(new Error('stream consumer stopped'));
    deadline.dispose();
  }
}
