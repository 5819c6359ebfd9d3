import { describe, expect, it } from 'vitest';
import { createEventSplitter, parseChatEvent, splitServerSentEvents } from './server-sent-events.js';

const bytes = (text: string) => Buffer.from(text);
const text = (events: Uint8Array[]) => events.map((event) => Buffer.from(event).toString());

describe('server-sent events', () => {
  it('cuts pieces into whole events, joining events split across pieces', () => {
    const splitter = createEventSplitter();
    expect(text(splitter.push(bytes('data: {"a":1}\n\ndata: {"b"')))).toEqual(['data: {"a":1}\n\n']);
    expect(text(splitter.push(bytes(':2}\r\n\r\n: keep-alive\n')))).toEqual(['data: {"b":2}\r\n\r\n']);
    expect(text(splitter.push(bytes('\ndata: [DONE]')))).toEqual([': keep-alive\n\n']);
    expect(text([splitter.end()!])).toEqual(['data: [DONE]']);
    expect(splitter.end()).toBeUndefined();
  });

  it('drops a trailing remainder of line breaks only', async () => {
    async function* body() {
      yield bytes('data: 1\n\n\n');
    }
    const events: Uint8Array[] = [];
    for await (const event of splitServerSentEvents(body())) events.push(event);
    expect(text(events)).toEqual(['data: 1\n\n']);
  });

  it('reads one-line events and multi-line events alike', () => {
    expect(parseChatEvent(bytes('data: {"id":"x","choices":[]}\n\n')).chunk).toEqual({
      id: 'x',
      choices: [],
    });
    expect(parseChatEvent(bytes('data:{"id":"y"}\r\n\r\n')).chunk).toEqual({ id: 'y' });
    // Two data lines are joined with a line break, as the SSE format says.
    expect(parseChatEvent(bytes('event: message\ndata: {"id":\ndata: "z"}\n\n')).chunk).toEqual({ id: 'z' });
    expect(parseChatEvent(bytes('data: [DONE]\n\n')).done).toBe(true);
    expect(parseChatEvent(bytes(': keep-alive\n\n'))).toEqual({ raw: expect.anything() });
    expect(parseChatEvent(bytes('data: {"error":{"message":"boom"}}\n\n')).error).toEqual({
      message: 'boom',
    });
    // An unterminated last event (the body ended without its blank line) still parses.
    expect(parseChatEvent(bytes('data: {"id":"w"}')).chunk).toEqual({ id: 'w' });
  });
});
