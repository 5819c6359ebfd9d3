import { describe, expect, it } from 'vitest';
import { bucketFor, bucketStarts, parseTimeRange, resolveTimeRange, writeTimeRange } from './time-range.js';

describe('time ranges', () => {
  it('ends a preset at the next whole minute, so it is stable for a minute', () => {
    const now = Date.parse('2026-11-21T10:15:20.500Z');
    const range = resolveTimeRange({ kind: 'preset', preset: '1h' }, now);
    expect(range.to.toISOString()).toBe('2026-11-21T10:16:00.000Z');
    expect(range.from.toISOString()).toBe('2026-11-21T09:16:00.000Z');
    expect(resolveTimeRange({ kind: 'preset', preset: '1h' }, now + 30_000)).toEqual(range);
  });

  it('picks a bucket that gives a readable number of points', () => {
    expect(bucketFor(3_600_000)).toBe('minute');
    expect(bucketFor(3 * 3_600_000)).toBe('minute');
    expect(bucketFor(86_400_000)).toBe('hour');
    expect(bucketFor(7 * 86_400_000)).toBe('hour');
    expect(bucketFor(30 * 86_400_000)).toBe('day');
  });

  it('lists every bucket start from the one holding `from`, in UTC like the server', () => {
    const starts = bucketStarts({
      from: new Date('2026-11-21T09:30:00.000Z'),
      to: new Date('2026-11-21T12:00:00.000Z'),
      bucket: 'hour',
    });
    expect(starts.map((start) => new Date(start).toISOString())).toEqual([
      '2026-11-21T09:00:00.000Z',
      '2026-11-21T10:00:00.000Z',
      '2026-11-21T11:00:00.000Z',
    ]);
  });

  it('round-trips a custom range through search params, keeping the others', () => {
    const selection = {
      kind: 'custom' as const,
      from: new Date('2026-11-20T00:00:00.000Z'),
      to: new Date('2026-11-21T00:00:00.000Z'),
    };
    const params = writeTimeRange(new URLSearchParams('model=x&range=7d'), selection);
    expect(params.get('model')).toBe('x');
    expect(parseTimeRange(params)).toEqual(selection);
    const back = writeTimeRange(params, { kind: 'preset', preset: '30d' });
    expect(back.toString()).toBe('model=x&range=30d');
  });
});
