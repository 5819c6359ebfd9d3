/**
 * Latency histograms with logarithmic buckets, so percentiles can be kept in rollups and merged
 * by adding counts. Each bucket spans 5 %, so a percentile read from it is within 5 % of the
 * exact one; 0.01 ms to 10⁷ ms takes about 425 buckets, stored sparsely.
 */
export type LatencyHistogram = Record<string, number>;

const growth = 1.05;
const smallest = 0.01;
const logGrowth = Math.log(growth);

/** The bucket a latency (ms) falls in. */
export function latencyBucket(latencyMs: number): number {
  if (!(latencyMs > smallest)) return 0;
  return Math.ceil(Math.log(latencyMs / smallest) / logGrowth);
}

/** The latency a bucket stands for: its upper bound. */
export function bucketLatency(bucket: number): number {
  return bucket === 0 ? smallest : smallest * growth ** bucket;
}

/** Adds `count` (negative to remove) observations of `latencyMs`; empty buckets are dropped. */
export function addToHistogram(histogram: LatencyHistogram, latencyMs: number, count = 1): void {
  const key = String(latencyBucket(latencyMs));
  const next = (histogram[key] ?? 0) + count;
  if (next <= 0) delete histogram[key];
  else histogram[key] = next;
}

/** Adds every count of `from` into `into`. */
export function mergeHistogram(into: LatencyHistogram, from: LatencyHistogram): void {
  for (const [key, count] of Object.entries(from)) {
    const next = (into[key] ?? 0) + count;
    if (next <= 0) delete into[key];
    else into[key] = next;
  }
}

/** Percentiles (0–100) read from a histogram; null each when it is empty. */
export function histogramPercentiles(
  histogram: LatencyHistogram,
  percentiles: number[],
): Array<number | null> {
  const buckets = Object.entries(histogram)
    .map(([key, count]) => [Number(key), count] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  return percentiles.map((percentile) => {
    if (total === 0) return null;
    const rank = Math.max(1, Math.ceil((percentile / 100) * total));
    let seen = 0;
    for (const [bucket, count] of buckets) {
      seen += count;
      if (seen >= rank) return Math.round(bucketLatency(bucket) * 1000) / 1000;
    }
    return null;
  });
}
