/** Percentile of unsorted samples (nearest rank); NaN when empty. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Wall-clock milliseconds comparable across processes on one machine (sub-ms resolution). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Bounded sample buffer: keeps at most `max` samples (every n-th once full). */
export class Samples {
  private readonly buf: Float64Array;
  private n = 0;
  private seen = 0;
  constructor(private readonly max = 500_000) {
    this.buf = new Float64Array(max);
  }
  add(v: number): void {
    this.seen++;
    if (this.n < this.max) this.buf[this.n++] = v;
    else this.buf[this.seen % this.max] = v; // keep a spread once full
  }
  get count(): number {
    return this.seen;
  }
  values(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
  reset(): void {
    this.n = 0;
    this.seen = 0;
  }
}

export const fmt = {
  int: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  ms: (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : 'n/a'),
  us: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)} µs` : 'n/a'),
  mb: (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`,
  ratio: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a'),
};

/** Latency histogram of one run: 0.05 ms buckets up to 1 s, the last bucket everything above. */
function histogram(samples: ArrayLike<number>): Uint32Array {
  const h = new Uint32Array(20_001);
  for (let i = 0; i < samples.length; i++)
    h[Math.min(20_000, Math.max(0, Math.floor(samples[i]! / 0.05)))]!++;
  return h;
}

/** Nearest-rank percentile of a histogram, as the upper edge of its bucket (ms). */
function histogramPercentile(h: Uint32Array, n: number, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  let seen = 0;
  for (let b = 0; b < h.length; b++) if ((seen += h[b]!) >= rank) return (b + 1) * 0.05;
  return NaN;
}

/** A seeded generator of numbers in [0, 1) (mulberry32): a test's figure can be reproduced. */
export function seededRandom(seed: number): () => number {
  let next = seed >>> 0;
  return () => {
    next = (next + 0x6d2b79f5) >>> 0;
    let t = Math.imul(next ^ (next >>> 15), 1 | next);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * How often chance alone makes `a`'s pooled p99 exceed `b`'s by at least what was measured: the
 * runs' labels are shuffled `iterations` times (seeded, so a figure can be reproduced), each
 * time the pooled p99 of the runs labelled `a` minus that of the runs labelled `b` is taken
 * (from 0.05 ms histograms), and `p` is the share of shuffles with a difference at least the
 * observed one. A small `p` (below 0.05) says `a` is really slower; a large one that the same
 * runs, labelled at random, differ as much.
 */
export function p99PermutationTest(
  a: ArrayLike<number>[],
  b: ArrayLike<number>[],
  iterations = 2000,
  seed = 1,
): { observed: number; p: number } {
  const runs = [...a, ...b].map((s) => ({ h: histogram(s), n: s.length }));
  const total = new Uint32Array(20_001);
  let totalN = 0;
  for (const r of runs) {
    for (let i = 0; i < total.length; i++) total[i]! += r.h[i]!;
    totalN += r.n;
  }
  const diff = (picked: number[]) => {
    const ha = new Uint32Array(20_001);
    let na = 0;
    for (const k of picked) {
      const r = runs[k]!;
      for (let i = 0; i < ha.length; i++) ha[i]! += r.h[i]!;
      na += r.n;
    }
    const hb = total.map((v, i) => v - ha[i]!);
    return histogramPercentile(ha, na, 99) - histogramPercentile(hb, totalN - na, 99);
  };
  const observed = diff(a.map((_, i) => i));
  const random = seededRandom(seed);
  const order = runs.map((_, i) => i);
  let atLeast = 0;
  for (let it = 0; it < iterations; it++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    if (diff(order.slice(0, a.length)) >= observed) atLeast++;
  }
  return { observed, p: (atLeast + 1) / (iterations + 1) };
}

/**
 * One-sided paired sign-flip test of `diffs` (a − b per pair): if a and b were alike, each
 * pair's difference would be as likely negated; `p` is the share of `iterations` random
 * negations (seeded) whose sum is at least the observed one. Below 0.05: a is really larger.
 */
export function signFlipTest(diffs: number[], iterations = 20_000, seed = 1): number {
  const observed = diffs.reduce((s, d) => s + d, 0);
  const random = seededRandom(seed);
  let atLeast = 0;
  for (let it = 0; it < iterations; it++) {
    let s = 0;
    for (const d of diffs) s += random() < 0.5 ? -d : d;
    if (s >= observed - 1e-9) atLeast++;
  }
  return (atLeast + 1) / (iterations + 1);
}
