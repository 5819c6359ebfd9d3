import { describe, expect, it } from 'vitest';
import { stringifySafely, utf8Length } from './safe-json.js';

describe('safe json', () => {
  it('writes cycles and BigInt instead of throwing', () => {
    const value: Record<string, unknown> = { n: 1n, list: [1, 2] };
    value.self = value;
    expect(JSON.parse(stringifySafely(value)!)).toEqual({ n: '1', list: [1, 2], self: '[Circular]' });
  });

  it('writes an object that appears twice side by side, twice', () => {
    const shared = { a: 1 };
    expect(stringifySafely({ left: shared, right: shared, n: 2n })).toBe(
      '{"left":{"a":1},"right":{"a":1},"n":"2"}',
    );
  });

  it('returns undefined when a toJSON throws', () => {
    expect(
      stringifySafely({
        toJSON() {
          throw new Error('nope');
        },
      }),
    ).toBeUndefined();
  });

  it('counts UTF-8 bytes', () => {
    for (const text of ['abc', 'é', '€', '😀', 'a😀é€'])
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
  });
});
