import { describe, expect, it } from 'vitest';
import { capPayload, jsonBytesAtMost } from './cap-payload.js';

const utf8Json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

describe('jsonBytesAtMost', () => {
  const values: unknown[] = [
    'plain',
    '\u0000\u001f"\\ control and escapes',
    'été 東京 😀',
    -1 / 3,
    -Number.MIN_VALUE,
    1e21,
    Number.MAX_SAFE_INTEGER,
    true,
    null,
    [],
    {},
    [{ role: 'user', content: 'hi', nested: { deep: [1, 'two', { three: null }] } }],
    { 'kéy\u0001': ['v', 2, false] },
  ];

  it('is never below the UTF-8 length of the JSON', () => {
    for (const value of values) expect(jsonBytesAtMost(value, 1e9)).toBeGreaterThanOrEqual(utf8Json(value));
  });

  it('gives up (Infinity) past the limit and for anything but plain data', () => {
    expect(jsonBytesAtMost('x'.repeat(100), 50)).toBe(Number.POSITIVE_INFINITY);
    expect(jsonBytesAtMost({ at: new Date(0) }, 1e9)).toBe(Number.POSITIVE_INFINITY);
    expect(jsonBytesAtMost({ gone: undefined }, 1e9)).toBe(Number.POSITIVE_INFINITY);
    expect(jsonBytesAtMost([() => 1], 1e9)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('capPayload', () => {
  it('keeps a payload under the cap as it is', () => {
    const value = { messages: [{ role: 'user', content: 'hello' }] };
    expect(capPayload(value, 1000)).toEqual({ value, truncated: false });
  });

  it('keeps a payload whose bound is over the cap but whose JSON is not', () => {
    // 100 characters: bounded at 602 bytes, 102 in fact.
    const value = 'y'.repeat(100);
    expect(capPayload(value, 200)).toEqual({ value, truncated: false });
  });

  it('cuts a payload over the cap to a flagged preview of at most the cap', () => {
    const capped = capPayload({ text: 'z'.repeat(500) }, 100);
    expect(capped.truncated).toBe(true);
    const preview = (capped.value as { preview: string }).preview;
    expect(new TextEncoder().encode(preview).length).toBeLessThanOrEqual(100);
    expect(preview.startsWith('{"text":"zzz')).toBe(true);
  });

  it('stores null for a missing payload, and keeps non-plain values through their JSON', () => {
    expect(capPayload(undefined, 10)).toEqual({ value: null, truncated: false });
    const dated = { at: new Date(0) };
    expect(capPayload(dated, 1000)).toEqual({ value: dated, truncated: false });
  });
});
