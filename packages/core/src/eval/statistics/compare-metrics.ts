import { mcnemarExact } from './mcnemar.js';
import { pairedBootstrap } from './paired-bootstrap.js';

/** Whether experiment B differs from A on a metric beyond what chance explains. */
export type Verdict = 'improved' | 'regressed' | 'no_significant_change';

/** Comparison of a pass/fail metric between experiments A and B over the same cases. */
export interface PassFailComparison {
  /** Name of the metric compared. */
  metric: string;
  /** Number of matched cases. */
  n: number;
  /** Share of cases passing in A, in [0, 1]; 0 when `n` is 0. */
  passRateA: number;
  /** Share of cases passing in B, in [0, 1]; 0 when `n` is 0. */
  passRateB: number;
  /** `passRateB - passRateA`. */
  delta: number;
  /** Cases that failed in A and passed in B. */
  bFixed: number;
  /** Cases that passed in A and failed in B. */
  bBroke: number;
  /** Exact two-sided McNemar p-value of the discordant cases. */
  pValue: number;
  /** `improved` or `regressed` when `pValue < alpha`, else `no_significant_change`. */
  verdict: Verdict;
}

/** Comparison of a numeric metric between experiments A and B over the same cases. */
export interface ScoreComparison {
  /** Name of the metric compared. */
  metric: string;
  /** Number of pairs used: those with a finite score on both sides. */
  n: number;
  /** Mean score of A over the pairs used; 0 when `n` is 0. */
  meanA: number;
  /** Mean score of B over the pairs used; 0 when `n` is 0. */
  meanB: number;
  /** Mean of the paired differences B - A; 0 when `n` is 0. */
  delta: number;
  /** Lower end of the bootstrap confidence interval of `delta`. */
  low: number;
  /** Upper end of the bootstrap confidence interval of `delta`. */
  high: number;
  /** From the interval: it lies wholly on the better side, the worse side, or spans 0. */
  verdict: Verdict;
}

/** Options of {@link comparePassFail}. */
export interface ComparePassFailOptions {
  /** Significance level, strictly between 0 and 1; default 0.05. */
  alpha?: number;
}

/** Options of {@link compareScores}. */
export interface CompareScoresOptions {
  /** Coverage of the confidence interval, strictly between 0 and 1; default 0.95. */
  confidence?: number;
  /** Bootstrap resamples; default 2000. */
  iterations?: number;
  /** Bootstrap seed; a fixed default keeps reruns identical. */
  seed?: number;
  /**
   * Whether a larger value is better; default true. Set false for latency, cost or error
   * counts, so that a rise is reported as `regressed`.
   */
  higherIsBetter?: boolean;
}

const DEFAULT_ALPHA = 0.05;

/**
 * Compares a pass/fail metric of two experiments run on the same cases, with the exact McNemar
 * test.
 *
 * Only cases whose outcome changed carry evidence, so the test looks at `bFixed` against
 * `bBroke`; a pass-rate delta alone would call a handful of lucky flips an improvement.
 *
 * @param metric Name echoed into the result.
 * @param pairs Outcomes of A and B, already matched by case.
 * @throws RangeError when `alpha` is outside (0, 1).
 * @example
 * const pairs = cases.map((item) => ({ a: item.baseline.passed, b: item.candidate.passed }));
 * const result = comparePassFail('exact-match', pairs, { alpha: 0.01 });
 * // { metric: 'exact-match', n: 100, passRateA: 0.8, passRateB: 0.5, bBroke: 30, verdict: 'regressed', ... }
 */
export function comparePassFail(
  metric: string,
  pairs: ReadonlyArray<{ a: boolean; b: boolean }>,
  options: ComparePassFailOptions = {},
): PassFailComparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha < 1)) {
    throw new RangeError(`alpha must be between 0 and 1 (exclusive), got ${alpha}`);
  }
  const n = pairs.length;
  let passedA = 0;
  let passedB = 0;
  let bFixed = 0;
  let bBroke = 0;
  for (const { a, b } of pairs) {
    if (a) passedA++;
    if (b) passedB++;
    if (a && !b) bBroke++;
    else if (!a && b) bFixed++;
  }
  const passRateA = n === 0 ? 0 : passedA / n;
  const passRateB = n === 0 ? 0 : passedB / n;
  const { pValue } = mcnemarExact(bBroke, bFixed);
  let verdict: Verdict = 'no_significant_change';
  if (pValue < alpha && bFixed > bBroke) verdict = 'improved';
  else if (pValue < alpha && bBroke > bFixed) verdict = 'regressed';
  return {
    metric,
    n,
    passRateA,
    passRateB,
    delta: passRateB - passRateA,
    bFixed,
    bBroke,
    pValue,
    verdict,
  };
}

/**
 * Compares a numeric metric of two experiments run on the same cases, with a paired bootstrap
 * confidence interval of the mean difference B - A.
 *
 * Pairs where either side is null or not finite (a scorer skipped or errored) are left out,
 * since imputing a value would invent evidence; `n` counts the pairs kept. With no pairs left
 * the figures are 0 and the verdict is `no_significant_change`, never NaN.
 *
 * The interval is only as good as the sample: with very few pairs (or all differences equal)
 * it is narrow or of zero width, so show `n` next to the verdict.
 *
 * @param metric Name echoed into the result.
 * @param pairs Scores of A and B, already matched by case.
 * @throws RangeError on invalid `confidence` or `iterations` (see `pairedBootstrap`).
 * @example
 * const pairs = cases.map((item) => ({ a: item.baseline.latencyMs, b: item.candidate.latencyMs }));
 * const latency = compareScores('latency_ms', pairs, { higherIsBetter: false });
 * if (latency.verdict === 'regressed') console.log(`slower by ${latency.delta} ms`);
 */
export function compareScores(
  metric: string,
  pairs: ReadonlyArray<{ a: number | null; b: number | null }>,
  options: CompareScoresOptions = {},
): ScoreComparison {
  const deltas: number[] = [];
  let sumA = 0;
  let sumB = 0;
  for (const { a, b } of pairs) {
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    deltas.push(b - a);
    sumA += a;
    sumB += b;
  }
  const n = deltas.length;
  const interval = pairedBootstrap(deltas, {
    iterations: options.iterations,
    confidence: options.confidence,
    seed: options.seed,
  });
  const higherIsBetter = options.higherIsBetter ?? true;
  let verdict: Verdict = 'no_significant_change';
  if (interval.low > 0) verdict = higherIsBetter ? 'improved' : 'regressed';
  else if (interval.high < 0) verdict = higherIsBetter ? 'regressed' : 'improved';
  return {
    metric,
    n,
    meanA: n === 0 ? 0 : sumA / n,
    meanB: n === 0 ? 0 : sumB / n,
    delta: interval.meanDelta,
    low: interval.low,
    high: interval.high,
    verdict,
  };
}
