import { describe, expect, it } from 'vitest';
import {
  createEventSplitter,
  parseChatEvent,
  scanChatEvent,
  splitServerSentEvents,
} from './server-sent-events.js';

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

describe('scanChatEvent', () => {
  const facts = (event: string) => scanChatEvent(bytes(event));
  const chunk = (choice: string, rest = '') =>
    `data: {"id":"c","object":"chat.completion.chunk","choices":[${choice}]${rest}}\n\n`;

  it('finds a finish reason without parsing, whatever the spacing, and ignores null ones', () => {
    expect(facts(chunk('{"index":0,"delta":{"content":"x"},"finish_reason":null}'))).toEqual({
      kind: 'chunk',
      finished: false,
      usageOnly: false,
      error: undefined,
    });
    expect(facts(chunk('{"index":0,"delta":{},"finish_reason":"stop"}')).finished).toBe(true);
    expect(facts(chunk('{"index": 0, "delta": {}, "finish_reason" : "length"}')).finished).toBe(true);
    expect(facts(chunk('{"index": 0, "delta": {}, "finish_reason": null}')).finished).toBe(false);
    // The words inside content are not keys.
    expect(
      facts(chunk('{"index":0,"delta":{"content":"\\"finish_reason\\": x"},"finish_reason":null}')).finished,
    ).toBe(false);
  });

  it('recognises the usage-only chunk, but not a chunk with usage null or usage beside choices', () => {
    expect(facts(chunk('', ',"usage":{"prompt_tokens":3}')).usageOnly).toBe(true);
    expect(facts(chunk('', ', "usage" : {"prompt_tokens":3}')).usageOnly).toBe(true);
    expect(facts(chunk('{"index":0,"delta":{},"finish_reason":null}', ',"usage":null')).usageOnly).toBe(
      false,
    );
    const both = facts(
      chunk('{"index":0,"delta":{},"finish_reason":"stop"}', ',"usage":{"prompt_tokens":3}'),
    );
    expect(both).toMatchObject({ kind: 'chunk', finished: true, usageOnly: false });
  });

  it('reports an error event, [DONE], comments and data that is not JSON', () => {
    expect(facts('data: {"error":{"message":"overloaded","type":"server_error"}}\n\n').error).toEqual({
      message: 'overloaded',
      type: 'server_error',
    });
    expect(facts('data: [DONE]\n\n').kind).toBe('done');
    expect(facts(': keep-alive\n\n').kind).toBe('other');
    expect(facts('data: not json\n\n').kind).toBe('other');
  });

  it('parses events of other shapes (several data lines, CRLF) in full', () => {
    expect(facts('data: {"choices":[{"index":0,\ndata: "finish_reason":"stop"}]}\n\n')).toMatchObject({
      kind: 'chunk',
      finished: true,
    });
    expect(facts('data:{"choices":[{"index":0,"finish_reason":"stop"}]}\r\n\r\n').finished).toBe(true);
  });
});
