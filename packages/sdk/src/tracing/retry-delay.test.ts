import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './retry-delay.js';

describe('retry delay', () => {
  const options = { initialDelayMs: 1_000, maxDelayMs: 30_000 };

  it('draws below a bound that doubles per retry and is capped', () => {
    expect(backoffDelay(0, options, undefined, () => 0.999)).toBe(999);
    expect(backoffDelay(3, options, undefined, () => 0.5)).toBe(4_000);
    expect(backoffDelay(20, options, undefined, () => 0.5)).toBe(15_000);
    expect(backoffDelay(3, options, undefined, () => 0)).toBe(0);
  });

  it('never waits less than Retry-After', () => {
    expect(backoffDelay(0, options, 5_000, () => 0.9)).toBe(5_000);
    expect(backoffDelay(5, options, 100, () => 0.5)).toBe(15_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
