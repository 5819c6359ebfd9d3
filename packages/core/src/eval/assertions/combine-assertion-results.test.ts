import { describe, expect, it } from 'vitest';
import type { AssertionConfig, AssertionResult } from './assertion.js';
import { combineAssertionResults } from './combine-assertion-results.js';

const scored = (pass: boolean, score: number, weight?: number) => ({
  config: { type: 'contains', value: 'x', ...(weight === undefined ? {} : { weight }) } as AssertionConfig,
  result: { status: 'scored', pass, score, reason: pass ? 'ok' : 'missing' } as AssertionResult,
});
const skipped = {
  config: { type: 'latency', threshold: 1 },
  result: { status: 'skipped', reason: 'cached' } as const,
};
const errored = {
  config: { type: 'contains', value: '{{x}}' },
  result: { status: 'errored', error: { code: 'template_variables_missing', message: 'x' } } as const,
};

describe('combineAssertionResults', () => {
  it('passes when every scored assertion passes, without a case threshold', () => {
    expect(combineAssertionResults([scored(true, 1), scored(true, 0.8)])).toEqual({
      status: 'passed',
      score: 0.9,
      reasons: [],
    });
  });

  it('fails when one scored assertion fails, without a case threshold, naming it', () => {
    expect(combineAssertionResults([scored(true, 1, 9), scored(false, 0)])).toEqual({
      status: 'failed',
      score: 0.9,
      reasons: ['assert[1] (contains) failed: missing'],
    });
  });

  it('weights the mean score (weight defaults to 1)', () => {
    expect(combineAssertionResults([scored(true, 1, 3), scored(false, 0)]).score).toBe(0.75);
    expect(combineAssertionResults([scored(true, 0.5, 2), scored(true, 1, 0.5)]).score).toBeCloseTo(0.6);
  });

  it('with a case threshold, passes on the weighted mean whatever single assertions said', () => {
    expect(combineAssertionResults([scored(true, 1, 3), scored(false, 0)], 0.75)).toEqual({
      status: 'passed',
      score: 0.75,
      reasons: ['assert[1] (contains) failed: missing', 'weighted score 0.75 >= threshold 0.75'],
    });
    expect(combineAssertionResults([scored(true, 1), scored(true, 0.4)], 0.8)).toMatchObject({
      status: 'failed',
      reasons: ['weighted score 0.70 < threshold 0.8'],
    });
  });

  it('reaches a threshold the float sum misses by rounding', () => {
    // (0.7 + 0.1) / 2 is 0.39999999999999997 in floating point.
    const results = [scored(true, 0.7), scored(true, 0.1)];
    expect(combineAssertionResults(results).score).toBeLessThan(0.4);
    expect(combineAssertionResults(results, 0.4).status).toBe('passed');
  });

  it('makes the case errored when any assertion errored, even a passing one beside it', () => {
    expect(combineAssertionResults([scored(true, 1), errored])).toEqual({
      status: 'errored',
      score: 1,
      reasons: ['assert[1] (contains) errored: template_variables_missing: x'],
    });
    expect(
      combineAssertionResults([scored(true, 1), { ...errored, config: { ...errored.config, weight: 0 } }], 0)
        .status,
    ).toBe('errored');
  });

  it('ignores skipped assertions but reports them', () => {
    expect(combineAssertionResults([scored(true, 1), skipped])).toEqual({
      status: 'passed',
      score: 1,
      reasons: ['assert[1] (latency) skipped: cached'],
    });
  });

  it('treats weight 0 as informational: reported, but neither scored nor failing', () => {
    expect(combineAssertionResults([scored(true, 1), scored(false, 0, 0)])).toEqual({
      status: 'passed',
      score: 1,
      reasons: ['assert[1] (contains) failed (informational, weight 0): missing'],
    });
  });

  it('passes with score 1 when nothing is left to score', () => {
    expect(combineAssertionResults([])).toEqual({ status: 'passed', score: 1, reasons: [] });
    expect(combineAssertionResults([skipped], 0.9)).toMatchObject({ status: 'passed', score: 1 });
  });
});
