import { type ChatStreamEvent, type PhaseTimeouts, UpstreamError } from '@flywheel/spec';
import type { CallDeadline } from '../transport/call-deadline.js';
import type { TransportResponse } from '../transport/http-transport.js';
import { scanChatEvent, serverSentEventBatches } from '../transport/server-sent-events.js';

/**
 * The events of an OpenAI-format stream, in the groups each network read completes, with the
 * idle timeout re-armed after each group that holds an event proving progress. Events are
 * scanned, not parsed (`scanChatEvent`): they leave as they came. A provider error event, a
 * stall, a reset, or an end before the stream finished all throw an UpstreamError (after the
 * events before the error event are yielded); a consumer that stops early aborts the upstream
 * request.
 */
export async function* readOpenAIChatStream(
  response: TransportResponse,
  deadline: CallDeadline,
  timeouts: PhaseTimeouts,
  provider: string,
): AsyncIterable<ChatStreamEvent[]> {
  let finished = false;
  let complete = false;
  try {
    for await (const events of serverSentEventBatches(response.body)) {
      const batch: ChatStreamEvent[] = [];
      let progress = false;
      for (const raw of events) {
        const event = scanChatEvent(raw);
        if (event.error !== undefined) {
          if (batch.length > 0) yield batch;
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
        if (event.kind === 'other') {
          // Comments and keep-alives pass through but prove nothing about progress.
          batch.push({ raw, usageOnly: false });
          continue;
        }
        progress = true;
        if (event.finished) finished = true;
        if (event.kind === 'done') {
          complete = true;
          batch.push({ raw, done: true });
          yield batch;
          void response.discard();
          return;
        }
        batch.push({ raw, usageOnly: event.usageOnly });
      }
      if (progress) deadline.arm('idle', timeouts.idleMs);
      if (batch.length > 0) yield batch;
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
