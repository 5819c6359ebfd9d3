import { describe, expect, it } from 'vitest';
import { metricsRow } from '../testing-internal/fake-api.js';
import { maxSplitSeries, splitKeys } from './metrics-split-charts.js';

const body = (rows: Array<{ key: string | null; requests: number }>) => {
  const data = rows.map((row) => metricsRow(row));
  return { from: '', to: '', group_by: 'model' as const, data, total: metricsRow() } as never;
};

describe('the series a split draws', () => {
  it('takes the busiest keys in the order the server sends them, at most five, and leaves out "none"', () => {
    const rows = [
      { key: 'gpt-4o', requests: 90 },
      { key: null, requests: 80 },
      ...Array.from({ length: 6 }, (_, index) => ({ key: `model-${index}`, requests: 70 - index })),
    ];
    expect(splitKeys(body(rows))).toEqual(['gpt-4o', 'model-0', 'model-1', 'model-2', 'model-3']);
    expect(maxSplitSeries).toBe(5);
  });

  it('draws nothing before the groups are loaded, or for keys without requests', () => {
    expect(splitKeys(undefined)).toEqual([]);
    expect(splitKeys(body([{ key: 'idle', requests: 0 }]))).toEqual([]);
  });
});
