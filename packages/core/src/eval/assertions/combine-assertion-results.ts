import type { AssertionConfig, AssertionResult } from './assertion.js';

/** The outcome of a case from its assertions. */
export interface CaseAssertionOutcome {
  /** `errored` when any assertion errored; otherwise passed or failed by the rules below. */
  status: 'passed' | 'failed' | 'errored';
  /** Weighted mean score of the scored assertions with a weight above 0 (1 when there are none). */
  score: number;
  /** Why: each failed, errored and skipped assertion, then the threshold comparison if any. */
  reasons: string[];
}

/** Scores within this distance below the threshold still reach it (sums of weighted floats drift). */
const thresholdTolerance = 1e-9;

/**
 * Combines a case's assertion results, in promptfoo's rules:
 * - the score is the weighted mean of the scored assertions (weight defaults to 1);
 * - without a case `threshold`, the case passes when every scored assertion passes; with one,
 *   when the weighted mean is at least the threshold, whatever individual assertions said;
 * - any errored assertion makes the case errored (it is not passed, whatever the score);
 * - skipped assertions do not count.
 *
 * Unlike promptfoo, weight 0 makes an assertion purely informational: it is reported but neither
 * scores nor fails the case; a case with nothing left to score scores 1 and passes.
 *
 * @example
 * combineAssertionResults([
 *   { config: { type: 'contains', value: 'a', weight: 3 }, result: { status: 'scored', pass: true, score: 1, reason: '…' } },
 *   { config: { type: 'contains', value: 'b' }, result: { status: 'scored', pass: false, score: 0, reason: '…' } },
 * ], 0.7); // { status: 'passed', score: 0.75, reasons: ['assert[1] (contains) failed: …', 'weighted score 0.75 >= threshold 0.7'] }
 */
export function combineAssertionResults(
  results: ReadonlyArray<{ config: AssertionConfig; result: AssertionResult }>,
  threshold?: number,
): CaseAssertionOutcome {
  const reasons: string[] = [];
  let totalWeight = 0;
  let weightedScore = 0;
  let anyFailed = false;
  let anyErrored = false;

  for (const [index, { config, result }] of results.entries()) {
    const label = `assert[${index}] (${config.type})`;
    if (result.status === 'errored') {
      anyErrored = true;
      reasons.push(`${label} errored: ${result.error.code}: ${result.error.message}`);
      continue;
    }
    if (result.status === 'skipped') {
      reasons.push(`${label} skipped: ${result.reason}`);
      continue;
    }
    const weight = config.weight ?? 1;
    if (weight === 0) {
      if (!result.pass) reasons.push(`${label} failed (informational, weight 0): ${result.reason}`);
      continue;
    }
    totalWeight += weight;
    weightedScore += weight * result.score;
    if (!result.pass) {
      anyFailed = true;
      reasons.push(`${label} failed: ${result.reason}`);
    }
  }

  const score = totalWeight > 0 ? weightedScore / totalWeight : 1;
  let passed = !anyFailed;
  if (typeof threshold === 'number' && Number.isFinite(threshold)) {
    passed = score >= threshold - thresholdTolerance;
    reasons.push(`weighted score ${score.toFixed(2)} ${passed ? '>=' : '<'} threshold ${threshold}`);
  }
  return { status: anyErrored ? 'errored' : passed ? 'passed' : 'failed', score, reasons };
}
