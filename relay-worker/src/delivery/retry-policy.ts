/**
 * When to try a failed delivery again. Mirrors the Svix schedule (immediately, 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h) with ±20 % jitter, and honours a receiver's `Retry-After`
 * on 429/503 within [base, 2 × base] so a receiver can slow us down but not park a message.
 */

/** Delay before attempt n+1, in ms, indexed by attempts already made (0 = first retry). */
export const DEFAULT_RETRY_SCHEDULE_MS = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];

export interface RetryPolicyOptions {
  /** Gaps between attempts in ms; attempts in total = schedule length + 1. */
  scheduleMs?: number[];
  /** Relative jitter, 0.2 = ±20 %. */
  jitter?: number;
  /** Random source in [0, 1), injectable for tests. */
  random?: () => number;
}

export class RetryPolicy {
  readonly scheduleMs: number[];
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(opts: RetryPolicyOptions = {}) {
    this.scheduleMs = opts.scheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
    this.jitter = opts.jitter ?? 0.2;
    this.random = opts.random ?? Math.random;
  }

  /** Attempts in total, the first included. */
  get maxAttempts(): number {
    return this.scheduleMs.length + 1;
  }

  /**
   * Delay in ms before the next attempt after `attemptsMade` attempts, or null when the
   * schedule is exhausted. `retryAfterMs` (from a 429/503) is clamped to [base, 2 × base].
   */
  nextDelayMs(attemptsMade: number, retryAfterMs?: number | null): number | null {
    const base = this.scheduleMs[attemptsMade - 1];
    if (base === undefined) return null;
    if (retryAfterMs != null && retryAfterMs >= 0) return Math.min(Math.max(retryAfterMs, base), 2 * base);
    const factor = 1 + (this.random() * 2 - 1) * this.jitter;
    return Math.round(base * factor);
  }
}

/** Parses a `Retry-After` header (delta seconds or HTTP date) to ms from `now`; null if absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  const trimmed = v.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Parses a schedule like `5s,5m,30m,2h` or `100,200` (ms) into ms. */
export function parseSchedule(text: string): number[] {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(part);
      if (!m) throw new Error(`bad duration "${part}"`);
      return Math.round(Number(m[1]) * units[m[2] ?? 'ms']!);
    });
}
