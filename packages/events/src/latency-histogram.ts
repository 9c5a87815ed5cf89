/**
 * Delivery latency histograms: the worker counts each attempt into one bucket per subscription,
 * hour and outcome (`delivery_stats.latency_histogram`); the admin merges buckets over 24 h or
 * 7 days and reads percentiles off them. Bucket i holds attempts that took at most
 * `LATENCY_BOUNDS_MS[i]` ms (and more than the bound before); the last bucket holds the rest.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500,
  10_000, 15_000, 30_000, 60_000,
];

/** Buckets per histogram: one per bound plus one for anything slower. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** The bucket of a duration in ms. */
export function latencyBucket(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= LATENCY_BOUNDS_MS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Adds histograms element by element (missing entries count 0). */
export function mergeHistograms(histograms: readonly (readonly number[] | null | undefined)[]): number[] {
  const out = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const h of histograms) h?.forEach((n, i) => (out[Math.min(i, LATENCY_BUCKETS - 1)]! += n));
  return out;
}

/**
 * The p-th percentile (0–100) of a histogram in ms, interpolated linearly inside its bucket;
 * null when it is empty. Within a bucket's resolution: 10–50 % of the value.
 */
export function histogramPercentile(hist: readonly number[], p: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = (p / 100) * total;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    const n = hist[i]!;
    if (n > 0 && seen + n >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const hi = LATENCY_BOUNDS_MS[i] ?? lo * 2;
      return lo + ((hi - lo) * Math.max(0, rank - seen)) / n;
    }
    seen += n;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}
