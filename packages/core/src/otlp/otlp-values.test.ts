import { describe, expect, it } from 'vitest';
import { isoOfEpochMs, unixNanosToIso } from './otlp-values.js';

describe('isoOfEpochMs', () => {
  it('writes what Date#toISOString writes', () => {
    const edges = [
      0, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000 /* 2000-02-29 */, 951_868_799_999,
      4_107_542_400_000 /* 2100-03-01 */, 1_709_164_800_000 /* 2024-02-29 */, 253_402_300_799_999,
    ];
    for (const ms of edges) expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString());
    // Random times over the whole range: every day, hour and leap-year rule gets its turn.
    let seed = 42;
    for (let index = 0; index < 20_000; index++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const ms = Math.floor((seed / 2_147_483_648) * 253_402_300_800_000);
      expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('leaves times outside 1970–9999 to Date', () => {
    expect(isoOfEpochMs(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(isoOfEpochMs(253_402_300_800_000)).toBe('+010000-01-01T00:00:00.000Z');
  });
});

describe('unixNanosToIso', () => {
  it('keeps milliseconds, drops what is finer, and has no time for 0', () => {
    expect(unixNanosToIso(1_765_000_000_123_999_999n)).toBe('2025-12-06T05:46:40.123Z');
    expect(unixNanosToIso(0n)).toBeUndefined();
  });
});
