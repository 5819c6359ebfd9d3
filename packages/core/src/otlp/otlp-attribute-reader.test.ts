import { describe, expect, it } from 'vitest';
import { AttributeReader, parseJsonText } from './otlp-attribute-reader.js';
import type { OtlpAttributes, OtlpValue } from './otlp-types.js';
import { newAttributes } from './otlp-values.js';

function attributes(values: Record<string, OtlpValue>): OtlpAttributes {
  return Object.assign(newAttributes(), values);
}

describe('AttributeReader', () => {
  it('rebuilds indexed attributes in index order, nested lists included, and takes them', () => {
    const reader = new AttributeReader(
      attributes({
        'm.10.role': 'tool',
        'm.2.role': 'user',
        'm.2.tool_calls.0.name': 'search',
        'm.2.tool_calls.1.name': 'fetch',
        'm.name': 'not indexed',
        other: 1,
      }),
    );
    expect(reader.indexed('m')).toEqual([
      { role: 'user', tool_calls: [{ name: 'search' }, { name: 'fetch' }] },
      { role: 'tool' },
    ]);
    expect(reader.rest()).toEqual([
      ['m.name', 'not indexed'],
      ['other', 1],
    ]);
  });

  it('keeps a deeper key beside a value already at its path, and leaves a clash as an attribute', () => {
    const reader = new AttributeReader(
      attributes({ 'm.0.content': 'text', 'm.0.content.type': 'text/plain', 'm.1.a.b': 'x', 'm.1.a': 'y' }),
    );
    expect(reader.indexed('m')).toEqual([
      { content: 'text', 'content.type': 'text/plain' },
      { a: { b: 'x' } },
    ]);
    expect(reader.rest()).toEqual([['m.1.a', 'y']]);
  });

  it('keeps keys with many dots flat below eight levels', () => {
    const key = `m.0.${Array.from({ length: 1_000 }, (_, index) => `k${index}`).join('.')}`;
    const [item] = new AttributeReader(attributes({ [key]: 'deep' })).indexed('m') as Array<
      Record<string, unknown>
    >;
    let depth = 0;
    let node: unknown = item;
    while (typeof node === 'object' && node !== null) {
      node = Object.values(node)[0];
      depth++;
    }
    expect(depth).toBe(8);
    expect(node).toBe('deep');
  });

  it('reads counts that fit a stored integer and coerces numeric strings', () => {
    const reader = new AttributeReader(attributes({ a: '12', b: 2 ** 31, c: 1.5, d: -1, e: 7 }));
    expect(reader.count('a')).toBe(12);
    expect(reader.count('b', 'c', 'd', 'e')).toBe(7);
    expect(reader.rest().map(([key]) => key)).toEqual(['b', 'c', 'd']);
  });

  it('never reads inherited properties', () => {
    const reader = new AttributeReader(newAttributes());
    expect(reader.peek('constructor')).toBeUndefined();
    expect(reader.string('toString', '__proto__')).toBeUndefined();
  });
});

describe('parseJsonText', () => {
  it('parses JSON objects, arrays and strings, and leaves other text alone', () => {
    expect(parseJsonText('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonText(' ["x"]')).toEqual(['x']);
    expect(parseJsonText('"quoted"')).toBe('quoted');
    expect(parseJsonText('42')).toBe('42');
    expect(parseJsonText('{not json')).toBe('{not json');
  });

  it('keeps JSON nested deeper than storage accepts as text', () => {
    const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
    expect(parseJsonText(deep)).toBe(deep);
  });
});
