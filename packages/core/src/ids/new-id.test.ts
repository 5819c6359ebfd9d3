import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from './new-id.js';

const crockford = '0123456789abcdefghjkmnpqrstvwxyz';

describe('newId', () => {
  afterEach(() => vi.useRealTimers());

  it('makes prefixed ids of 26 base-32 characters: 10 of time, 16 random', () => {
    expect(newId('proj')).toMatch(/^proj_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it('starts with the creation time, so later ids sort after earlier ones', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-07T10:00:00.000Z'));
    const first = newId('span');
    // The time part is the milliseconds since 1970 in base 32 (Crockford's digits), most significant first.
    const decoded = [...first.slice(5, 15)].reduce((ms, digit) => ms * 32 + crockford.indexOf(digit), 0);
    expect(decoded).toBe(Date.UTC(2026, 11, 7, 10));
    vi.setSystemTime(new Date('2026-12-07T10:00:00.001Z'));
    const second = newId('span');
    vi.setSystemTime(new Date('2027-01-01T00:00:00.000Z'));
    const third = newId('span');
    expect([third, first, second].sort()).toEqual([first, second, third]);
  });

  it('does not repeat across many draws in the same millisecond, including across random-pool refills', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-07T10:00:00.000Z'));
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('x')));
    expect(ids.size).toBe(10_000);
  });
});
