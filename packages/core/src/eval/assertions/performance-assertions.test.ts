import { describe, expect, it } from 'vitest';
import { runAssertion, validateAssertions } from './registry.js';

describe('latency', () => {
  it('passes at the threshold and names both figures', async () => {
    expect(
      await runAssertion({ type: 'latency', threshold: 500 }, { output: '', vars: {}, latencyMs: 500 }),
    ).toEqual({
      status: 'scored',
      pass: true,
      score: 1,
      reason: 'latency 500 ms (threshold 500 ms) is within budget',
    });
  });

  it('is skipped when the latency is unknown', async () => {
    expect(await runAssertion({ type: 'latency', threshold: 500 }, { output: '', vars: {} })).toMatchObject({
      status: 'skipped',
    });
  });

  it('refuses a negative threshold', () => {
    expect(validateAssertions([{ type: 'latency', threshold: -1 }], 'c')).toEqual([
      'c.assert[0] (latency): threshold (the maximum latency in milliseconds) must be a number >= 0, got -1',
    ]);
  });
});

describe('cost', () => {
  it('fails over the threshold', async () => {
    expect(
      await runAssertion({ type: 'cost', threshold: 0.001 }, { output: '', vars: {}, cost: 0.0015 }),
    ).toMatchObject({
      pass: false,
      reason: 'cost $0.0015 (threshold $0.001) is over budget',
    });
  });

  it('is skipped when the cost is null or absent', async () => {
    for (const cost of [null, undefined]) {
      expect(
        await runAssertion({ type: 'cost', threshold: 1 }, { output: '', vars: {}, cost }),
      ).toMatchObject({
        status: 'skipped',
        reason: expect.stringContaining('cost is unknown'),
      });
    }
  });
});
