import type { ChatCompletionChunk, ChatStreamEvent } from '@flywheel/spec';

const lf = 0x0a;
const cr = 0x0d;

/**
 * Splits a server-sent-event byte stream into whole events, each with its terminating blank
 * line, so they can be forwarded byte for byte. Handles events split across chunks and
 * `\n\n` or `\r\n\r\n` terminators.
 */
export async function* splitServerSentEvents(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  let pending: Buffer | undefined;
  for await (const piece of body) {
    const buffer = pending
      ? Buffer.concat([pending, piece])
      : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let start = 0;
    for (;;) {
      const end = findEventEnd(buffer, start);
      if (end === -1) break;
      yield buffer.subarray(start, end);
      start = end;
    }
    pending = start < buffer.length ? buffer.subarray(start) : undefined;
  }
  if (pending?.some((byte) => byte !== lf && byte !== cr)) yield pending;
}

/** The index just past the blank line ending the event that starts at `start`, or -1. */
function findEventEnd(buffer: Buffer, start: number): number {
  for (let index = buffer.indexOf(lf, start); index !== -1; index = buffer.indexOf(lf, index + 1)) {
    const next = buffer[index + 1];
    if (next === lf) return index + 2;
    if (next === cr && buffer[index + 2] === lf) return index + 3;
  }
  return -1;
}

/** What one event of an OpenAI-format chat stream says. */
export function parseChatEvent(raw: Uint8Array): ChatStreamEvent & { error?: unknown } {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  let data = '';
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('data:'))
      data += (data === '' ? '' : '\n') + line.slice(line.startsWith('data: ') ? 6 : 5);
  }
  if (data === '') return { raw };
  if (data.trim() === '[DONE]') return { raw, done: true };
  try {
    const parsed = JSON.parse(data) as ChatCompletionChunk & { error?: unknown };
    if (parsed && typeof parsed === 'object' && 'error' in parsed && parsed.error)
      return { raw, error: parsed.error };
    return { raw, chunk: parsed };
  } catch {
    return { raw };
  }
}

/** Encodes a chunk as one SSE event. */
export function encodeChatEvent(chunk: unknown): Uint8Array {
  return Buffer.from(`data: ${JSON.stringify(chunk)}\n\n`);
}

/** The final `data: [DONE]` event. */
export const doneEvent: Uint8Array = Buffer.from('data: [DONE]\n\n');
