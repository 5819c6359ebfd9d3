/** Result of {@link mcnemarExact}. */
export interface McNemarResult {
  /** Discordant pairs that passed in A and failed in B. */
  b: number;
  /** Discordant pairs that failed in A and passed in B. */
  c: number;
  /** Exact two-sided p-value, in [0, 1]; 1 when there are no discordant pairs. */
  pValue: number;
}

/**
 * Exact two-sided McNemar test on the discordant pairs of a paired pass/fail comparison.
 *
 * Under the null hypothesis (A and B equally good) each discordant pair is a fair coin, so
 * `p = min(1, 2 * P(X <= min(b, c)))` with `X ~ Binomial(b + c, 1/2)`. Concordant pairs carry no
 * information about the difference and are not passed in.
 *
 * The tail is computed in log space with Loader's saddle-point form of the binomial
 * probability, so it stays accurate for `b + c` in the millions where factorials overflow and
 * log-gamma differences lose digits; the work is O(min(b, c, sqrt(b + c))) terms.
 *
 * @param b Pairs that passed in A and failed in B (a non-negative integer).
 * @param c Pairs that failed in A and passed in B (a non-negative integer).
 * @throws RangeError when `b` or `c` is not a non-negative safe integer.
 * @example
 * mcnemarExact(1, 9); // { b: 1, c: 9, pValue: 0.021484375 }
 * mcnemarExact(5, 5).pValue; // 1
 */
export function mcnemarExact(b: number, c: number): McNemarResult {
  assertCount('b', b);
  assertCount('c', c);
  const n = b + c;
  if (n === 0) return { b, c, pValue: 1 };
  const lowerTail = binomialHalfLowerTail(Math.min(b, c), n);
  return { b, c, pValue: Math.min(1, 2 * lowerTail) };
}

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

/**
 * `P(X <= k)` for `X ~ Binomial(n, 1/2)` with `k <= n / 2`.
 *
 * Starts from the largest term, `P(X = k)`, and walks down with the exact ratio
 * `P(X = i - 1) / P(X = i) = i / (n - i + 1)`, which is below 1 on this side of the mode, so the
 * sum is of shrinking positive terms and stops once they no longer change it.
 */
function binomialHalfLowerTail(k: number, n: number): number {
  // 0.5 ** n is exact down to the smallest subnormal, and covers b = 0 or c = 0 directly.
  if (k === 0) return 0.5 ** n;
  let relativeSum = 1;
  let term = 1;
  for (let index = k; index > 0; index--) {
    term *= index / (n - index + 1);
    relativeSum += term;
    if (term < relativeSum * Number.EPSILON * 0.5) break;
  }
  return Math.exp(logBinomialHalfProbability(k, n) + Math.log(relativeSum));
}

const LN_2PI = 1.8378770664093453;
const LN_SQRT_2PI = 0.9189385332046728;

/**
 * `log P(X = k)` for `X ~ Binomial(n, 1/2)` and `0 < k < n` (Loader 2000, "Fast and accurate
 * computation of binomial probabilities"). Every term is small, so no digits cancel away.
 */
function logBinomialHalfProbability(k: number, n: number): number {
  const half = n / 2;
  const logCore =
    stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, half) - deviance(n - k, half);
  // log(2 pi k (n - k) / n), with log1p keeping precision when k is small next to n.
  const logScale = LN_2PI + Math.log(k) + Math.log1p(-k / n);
  return logCore - 0.5 * logScale;
}

/** `log(m!) - [(m + 1/2) log m - m + log sqrt(2 pi)]` for integers `m >= 1`. */
function stirlingError(m: number): number {
  if (m <= 15) {
    // m! is exact in a double up to 18!, so the only error is one rounding of its logarithm.
    let factorial = 1;
    for (let factor = 2; factor <= m; factor++) factorial *= factor;
    return Math.log(factorial) - (m + 0.5) * Math.log(m) + m - LN_SQRT_2PI;
  }
  // Asymptotic series 1/(12m) - 1/(360m^3) + ..., cut where the next term falls below 2^-53.
  const s0 = 1 / 12;
  const s1 = 1 / 360;
  const s2 = 1 / 1260;
  const s3 = 1 / 1680;
  const s4 = 1 / 1188;
  const mm = m * m;
  if (m > 500) return (s0 - s1 / mm) / m;
  if (m > 80) return (s0 - (s1 - s2 / mm) / mm) / m;
  if (m > 35) return (s0 - (s1 - (s2 - s3 / mm) / mm) / mm) / m;
  return (s0 - (s1 - (s2 - (s3 - s4 / mm) / mm) / mm) / mm) / m;
}

/**
 * `x log(x / mean) + mean - x`, the deviance term of the saddle-point expansion. Near `x = mean`
 * the direct formula subtracts nearly equal numbers, so a series in `(x - mean) / (x + mean)` is
 * used instead.
 */
function deviance(x: number, mean: number): number {
  const difference = x - mean;
  if (Math.abs(difference) < 0.1 * (x + mean)) {
    let ratio = difference / (x + mean);
    let sum = difference * ratio;
    let power = 2 * x * ratio;
    ratio *= ratio;
    for (let order = 1; order < 1000; order++) {
      power *= ratio;
      const next = sum + power / (2 * order + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / mean) + mean - x;
}
