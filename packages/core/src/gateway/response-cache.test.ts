import { describe, expect, it } from 'vitest';
import { createMemoryResponseCache, stableStringify } from './response-cache.js';

const json = (size: number) => ({ kind: 'json' as const, raw: new Uint8Array(size) });

describe('memory response cache', () => {
  it('serves an entry until its TTL ends', () => {
    let now = 0;
    const cache = createMemoryResponseCache({ now: () => now });
    cache.set('k', json(10), 1000);
    expect(cache.get('k')).toEqual(json(10));
    now = 1000;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, entries: 0, bytes: 0 });
  });

  it('evicts the least recently used entries to stay within its byte bound', () => {
    const cache = createMemoryResponseCache({ maxBytes: 100 });
    cache.set('a', json(40), 60_000);
    cache.set('b', json(40), 60_000);
    cache.get('a');
    cache.set('c', json(40), 60_000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.stats().bytes).toBe(80);
  });

  it('never stores an entry larger than the whole cache', () => {
    const cache = createMemoryResponseCache({ maxBytes: 10 });
    cache.set('big', json(11), 60_000);
    expect(cache.get('big')).toBeUndefined();
  });

  it('counts the bytes of every event of a cached stream', () => {
    const cache = createMemoryResponseCache();
    cache.set('s', { kind: 'stream', events: [new Uint8Array(3), new Uint8Array(4)] }, 60_000);
    expect(cache.stats().bytes).toBe(7);
  });
});

describe('stable stringify', () => {
  it('ignores key order and undefined fields, but not array order', () => {
    expect(stableStringify({ b: 1, a: { d: [2, 1], c: undefined } })).toBe(
      stableStringify({ a: { d: [2, 1] }, b: 1 }),
    );
    expect(stableStringify({ a: [1, 2] })).not.toBe(stableStringify({ a: [2, 1] }));
  });
});
