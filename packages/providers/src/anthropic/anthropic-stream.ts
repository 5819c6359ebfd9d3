import { type ChatStreamEvent, type PhaseTimeouts, UpstreamError } from '@flywheel/spec';
import type { CallDeadline } from '../transport/call-deadline.js';
import type { TransportResponse } from '../transport/http-transport.js';
import { doneEvent, encodeChatEvent, serverSentEventBatches } from '../transport/server-sent-events.js';
import type { AnthropicStreamEvent } from './anthropic-messages-types.js';
import {
  type AnthropicStreamOptions,
  createAnthropicStreamTranslator,
} from './anthropic-stream-translator.js';

/**
 * A Messages API stream as OpenAI chat.completion.chunk events, ending with `data: [DONE]`, in
 * the groups each network read completes. The idle timeout is re-armed after every event, `ping`
 * included: Anthropic sends pings to show the model is still working (e.g. while it composes a
 * tool call's input). An `error` event, a stall, a reset, or an end before `message_stop` all
 * throw an UpstreamError (after the events translated before it are yielded); a consumer that
 * stops early aborts the upstream request.
 */
export async function* readAnthropicChatStream(
  response: TransportResponse,
  deadline: CallDeadline,
  timeouts: PhaseTimeouts,
  options: AnthropicStreamOptions,
): AsyncIterable<ChatStreamEvent[]> {
  const translator = createAnthropicStreamTranslator(options);
  let complete = false;
  try {
    for await (const events of serverSentEventBatches(response.body)) {
      const batch: ChatStreamEvent[] = [];
      try {
        for (const raw of events) {
          const event = parseAnthropicEvent(raw);
          if (event === undefined) continue;
          deadline.arm('idle', timeouts.idleMs);
          for (const chunk of translator.translate(event))
            batch.push({
              raw: encodeChatEvent(chunk),
              chunk,
              usageOnly: chunk.choices.length === 0 && chunk.usage != null,
            });
          if (translator.finished) {
            complete = true;
            batch.push({ raw: doneEvent, done: true });
            break;
          }
        }
      } catch (error) {
        if (batch.length > 0) yield batch;
        throw error;
      }
      if (batch.length > 0) yield batch;
      if (complete) {
        void response.discard();
        return;
      }
    }
    throw new UpstreamError('upstream_error', 'anthropic closed the stream before message_stop.', {
      retryable: true,
      phase: 'stream',
    });
  } catch (error) {
    throw deadline.signal.aborted ? deadline.reason() : error;
  } finally {
    if (!complete) deadline.abort(new Error('stream consumer stopped'));
    deadline.dispose();
  }
}

/**
 * The JSON of an event's `data:` lines, or undefined for comments and events without data.
 * The `event:` line is not needed: Anthropic repeats the event name as `type` in the data.
 */
export function parseAnthropicEvent(raw: Uint8Array): AnthropicStreamEvent | undefined {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  const data: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
  }
  if (data.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.join('\n'));
  } catch (error) {
    throw new UpstreamError('upstream_error', 'anthropic sent a stream event that is not JSON.', {
      retryable: true,
      phase: 'stream',
      cause: error,
    });
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    typeof (parsed as { type?: unknown }).type !== 'string'
  ) {
    return undefined;
  }
  return parsed as AnthropicStreamEvent;
}
