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
