import type { ChatCompletionChunk, ChatToolCall, OpenAIUsage } from '@flywheel/spec';

/** What a streamed answer said, gathered for the trace while the bytes pass through. */
export interface StreamCapture {
  content: string;
  toolCalls: ChatToolCall[];
  finishReason: string | null;
  usage: OpenAIUsage | undefined;
  /** ms from the request's start to the first content event. */
  firstTokenMs: number | undefined;
  model: string | undefined;
}

export function newStreamCapture(): StreamCapture {
  return {
    content: '',
    toolCalls: [],
    finishReason: null,
    usage: undefined,
    firstTokenMs: undefined,
    model: undefined,
  };
}

/** Folds one chunk into the capture (first choice only; n>1 streams keep their first choice). */
export function captureChunk(capture: StreamCapture, chunk: ChatCompletionChunk, elapsedMs: number): void {
  if (chunk.usage) capture.usage = chunk.usage;
  capture.model ??= chunk.model;
  const choice = chunk.choices?.find((candidate) => candidate.index === 0) ?? chunk.choices?.[0];
  if (!choice) return;
  const delta = choice.delta ?? {};
  if (typeof delta.content === 'string' && delta.content !== '') {
    capture.firstTokenMs ??= elapsedMs;
    capture.content += delta.content;
  }
  for (const call of delta.tool_calls ?? []) {
    capture.firstTokenMs ??= elapsedMs;
    const index = call.index ?? 0;
    const existing = capture.toolCalls[index];
    if (!existing) {
      capture.toolCalls[index] = {
        ...(call.id === undefined ? {} : { id: call.id }),
        type: call.type ?? 'function',
        function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
      };
    } else if (existing.function) {
      // Providers send the name once, in the call's first delta; later deltas add arguments.
      if (!existing.function.name && call.function?.name) existing.function.name = call.function.name;
      existing.function.arguments = (existing.function.arguments ?? '') + (call.function?.arguments ?? '');
    }
  }
  if (choice.finish_reason) capture.finishReason = choice.finish_reason;
}

/**
 * Reads back a stream the gateway forwarded: `text` is its events (server-sent-event bytes,
 * decoded) in the order they went out, `times[i]` when event `i` arrived (ms from the request's
 * start). Events are cut where the gateway cut them (after `\n\n` or `\n\r\n`), so they line up
 * with `times`. Comments, `[DONE]` and data that is not JSON are skipped.
 *
 * The gateway keeps only the bytes while it streams and parses them here, off the request thread
 * (when the trace is indexed): parsing each event as it passed cost the request thread ~0.06 ms
 * per 20-event stream, more than any other step (bench/gateway, see decision 0013).
 */
export function captureStreamText(text: string, times: readonly number[]): StreamCapture {
  const capture = newStreamCapture();
  let start = 0;
  for (let index = 0; start < text.length; index++) {
    const end = eventEnd(text, start);
    const event = text.slice(start, end);
    start = end;
    const chunk = chunkOf(event);
    if (chunk) captureChunk(capture, chunk, times[index] ?? times.at(-1) ?? 0);
  }
  return capture;
}

/** Just past the blank line ending the event that starts at `start` (or the text's end). */
function eventEnd(text: string, start: number): number {
  for (let index = text.indexOf('\n', start); index !== -1; index = text.indexOf('\n', index + 1)) {
    const next = text.charCodeAt(index + 1);
    if (next === 0x0a) return index + 2;
    if (next === 0x0d && text.charCodeAt(index + 2) === 0x0a) return index + 3;
  }
  return text.length;
}

/** The chunk an event's `data:` lines hold, or undefined. */
function chunkOf(event: string): ChatCompletionChunk | undefined {
  let data = '';
  for (const line of event.split(/\r?\n/)) {
    if (line.startsWith('data:'))
      data += (data === '' ? '' : '\n') + line.slice(line.startsWith('data: ') ? 6 : 5);
  }
  if (data === '' || data.trim() === '[DONE]') return undefined;
  try {
    const parsed = JSON.parse(data) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as ChatCompletionChunk) : undefined;
  } catch {
    return undefined;
  }
}
