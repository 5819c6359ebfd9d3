import type { ChatCompletionChunk, ChatStreamEvent } from '@flywheel/spec';

const lf = 0x0a;
const cr = 0x0d;

/** Cuts server-sent-event bytes into whole events as the pieces arrive. */
export interface EventSplitter {
  /** The events that `piece` completes, each with its terminating blank line (maybe none). */
  push(piece: Uint8Array): Uint8Array[];
  /** What is left when the body ends: an unterminated last event, if it holds more than line breaks. */
  end(): Uint8Array | undefined;
}

/**
 * A splitter for one stream: events split across pieces are joined, and `\n\n` or `\r\n\r\n`
 * terminators are both understood. Synchronous, so a reader handles every event of a network
 * piece in one go (an async generator per event cost ~1 µs each, twenty times per streamed call).
 */
export function createEventSplitter(): EventSplitter {
  let pending: Buffer | undefined;
  return {
    push(piece) {
      const buffer = pending
        ? Buffer.concat([pending, piece])
        : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      const events: Uint8Array[] = [];
      let start = 0;
      for (;;) {
        const end = findEventEnd(buffer, start);
        if (end === -1) break;
        events.push(buffer.subarray(start, end));
        start = end;
      }
      pending = start < buffer.length ? buffer.subarray(start) : undefined;
      return events;
    },
    end() {
      const rest = pending;
      pending = undefined;
      return rest?.some((byte) => byte !== lf && byte !== cr) ? rest : undefined;
    },
  };
}

/**
 * Splits a server-sent-event byte stream into whole events, each with its terminating blank
 * line, so they can be forwarded byte for byte. Handles events split across chunks and
 * `\n\n` or `\r\n\r\n` terminators.
 */
export async function* splitServerSentEvents(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const events of serverSentEventBatches(body)) yield* events;
}

/**
 * The same events, as the arrays each network piece completes (empty ones left out): one
 * asynchronous step per piece rather than per event.
 */
export async function* serverSentEventBatches(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array[]> {
  const splitter = createEventSplitter();
  for await (const piece of body) {
    const events = splitter.push(piece);
    if (events.length > 0) yield events;
  }
  const rest = splitter.end();
  if (rest) yield [rest];
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

/**
 * The data of an event that is a single `data:` line and its blank line (what OpenAI-format
 * servers send), without splitting it into lines; undefined for any other shape.
 */
function oneDataLine(text: string): string | undefined {
  if (!text.startsWith('data:')) return undefined;
  const lineEnd = text.indexOf('\n');
  for (let index = lineEnd + 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== lf && code !== cr) return undefined;
  }
  const line = text.charCodeAt(lineEnd - 1) === cr ? text.slice(0, lineEnd - 1) : text.slice(0, lineEnd);
  return line.slice(line.startsWith('data: ') ? 6 : 5);
}

/** What one event of an OpenAI-format chat stream says. */
export function parseChatEvent(raw: Uint8Array): ChatStreamEvent & { error?: unknown } {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  let data = oneDataLine(text);
  if (data === undefined) {
    data = '';
    for (const line of text.split(/\r?\n/)) {
      if (line.startsWith('data:'))
        data += (data === '' ? '' : '\n') + line.slice(line.startsWith('data: ') ? 6 : 5);
    }
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

/** What the gateway must know about one event of an OpenAI-format chat stream. */
export interface ChatEventFacts {
  /** `other`: a comment, a keep-alive or data without JSON (proves nothing about progress). */
  kind: 'chunk' | 'done' | 'other';
  /** A choice has a finish reason. */
  finished: boolean;
  /** The usage-only chunk (`choices: []`) that `include_usage` adds at the end. */
  usageOnly: boolean;
  /** The body of an error event the provider sent inside the stream. */
  error: unknown;
}

const space = 0x20;
const tab = 0x09;

/**
 * The facts of an event, found by scanning its text rather than parsing its JSON: a chunk is
 * forwarded unchanged, so all the gateway needs is whether it ends the stream (a finish reason,
 * `[DONE]`), reports an error, or is the usage-only chunk. Only an event that may be one of
 * those last two (it holds an `"error"` key, or a `"usage"` object) or that has an unusual shape
 * is parsed. Parsing every event cost the request thread ~0.06 ms per 20-event stream, the
 * gateway's largest per-stream cost (bench/gateway; decision 0013); the trace parses the events
 * later, on the trace indexer's thread.
 *
 * The bytes are read as Latin-1 (one character per byte, made without decoding) and searched
 * with one compiled regular expression; a Buffer's `indexOf` is a call into C++ each time, and
 * three searches per event cost more than the one. UTF-8's multi-byte characters are all bytes
 * ≥ 0x80, so they never match the ASCII keys sought.
 */
export function scanChatEvent(raw: Uint8Array): ChatEventFacts {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const text = bytes.toString('latin1');
  const start = text.charCodeAt(5) === space ? 6 : 5;
  // The shape OpenAI-format servers send: one `data: {…}` line and its blank line.
  if (text.charCodeAt(start) !== 0x7b || !text.startsWith('data:') || !oneLine(text, start)) {
    if (text.startsWith('[DONE]', start) && oneLine(text, start)) return doneFacts;
    return parsedFacts(parseChatEvent(raw));
  }
  // Most events name none of the keys that matter, and one test of a compiled pattern says so.
  if (!notableKey.test(text)) return plainChunk;
  if (text.indexOf('"error"', start) !== -1) return parsedFacts(parseChatEvent(raw));
  return {
    kind: 'chunk',
    finished: hasFinishReason(text, start),
    usageOnly: holdsObject(text, '"usage"', start) && emptyChoices.test(text),
    error: undefined,
  };
}

// In JSON text a quote inside a string is escaped (`\"`), so `"name"` followed by a colon is
// always a key, never words of the content.
/** An `"error"` (key or value), a `"usage"` object, or a `"finish_reason"` that is not null. */
const notableKey = /"(?:error"|usage"\s*:\s*\{|finish_reason"\s*:\s*[^\sn])/;
const emptyChoices = /"choices"\s*:\s*\[\s*\]/;
const plainChunk: ChatEventFacts = Object.freeze({
  kind: 'chunk',
  finished: false,
  usageOnly: false,
  error: undefined,
});
const doneFacts: ChatEventFacts = Object.freeze({
  kind: 'done',
  finished: false,
  usageOnly: false,
  error: undefined,
});

/** The facts of an event parsed in full. */
function parsedFacts(event: ReturnType<typeof parseChatEvent>): ChatEventFacts {
  if (event.error !== undefined)
    return { kind: 'other', finished: false, usageOnly: false, error: event.error };
  if (event.done) return { kind: 'done', finished: false, usageOnly: false, error: undefined };
  const chunk = event.chunk;
  if (chunk === undefined) return { kind: 'other', finished: false, usageOnly: false, error: undefined };
  const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
  return {
    kind: 'chunk',
    finished: choices.some((choice) => choice?.finish_reason),
    usageOnly: Array.isArray(chunk.choices) && choices.length === 0 && chunk.usage != null,
    error: undefined,
  };
}

/** Whether the event is one line: after its first line break come only line breaks. */
function oneLine(text: string, start: number): boolean {
  const lineEnd = text.indexOf('\n', start);
  if (lineEnd === -1) return false;
  for (let index = lineEnd + 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== lf && code !== cr) return false;
  }
  return true;
}

/** The index just past a key's colon (and the blanks around it), or -1 when `at` is no key. */
function valueStart(text: string, at: number): number {
  let index = at;
  let code = text.charCodeAt(index);
  while (code === space || code === tab) code = text.charCodeAt(++index);
  if (code !== 0x3a) return -1;
  code = text.charCodeAt(++index);
  while (code === space || code === tab) code = text.charCodeAt(++index);
  return index;
}

const finishKey = '"finish_reason"';

/** Whether some `"finish_reason"` key has a value other than null. */
function hasFinishReason(text: string, start: number): boolean {
  for (
    let at = text.indexOf(finishKey, start);
    at !== -1;
    at = text.indexOf(finishKey, at + finishKey.length)
  ) {
    const value = valueStart(text, at + finishKey.length);
    if (value !== -1 && text.charCodeAt(value) !== 0x6e) return true;
  }
  return false;
}

/** Whether some `key` has an object as its value. */
function holdsObject(text: string, key: string, start: number): boolean {
  for (let at = text.indexOf(key, start); at !== -1; at = text.indexOf(key, at + key.length)) {
    const value = valueStart(text, at + key.length);
    if (value !== -1 && text.charCodeAt(value) === 0x7b) return true;
  }
  return false;
}

/** Encodes a chunk as one SSE event. */
export function encodeChatEvent(chunk: unknown): Uint8Array {
  return Buffer.from(`data: ${JSON.stringify(chunk)}\n\n`);
}

/** The final `data: [DONE]` event. */
export const doneEvent: Uint8Array = Buffer.from('data: [DONE]\n\n');
