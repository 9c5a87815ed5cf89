/** Buckets kept before full ones are forgotten (bounds memory when keys are client addresses). */
const MAX_BUCKETS = 10_000;

/**
 * Per-key token buckets: `perMinute` tokens, refilled continuously, so a burst up to the
 * minute's allowance is fine and a steady client gets exactly its rate.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly defaultPerMinute: number) {}

  /** Takes one token; when none is left, says how many seconds until one is. */
  take(
    keyId: string,
    perMinute: number | null,
    now = Date.now(),
  ): { ok: true } | { ok: false; retryAfterSec: number } {
    const rate = perMinute ?? this.defaultPerMinute;
    if (this.buckets.size >= MAX_BUCKETS && !this.buckets.has(keyId)) this.forgetFull(now);
    const b = this.buckets.get(keyId) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) * rate) / 60_000);
    b.at = now;
    this.buckets.set(keyId, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil(((1 - b.tokens) * 60_000) / rate / 1000)) };
  }

  /** Drops buckets that have refilled completely (they behave like new ones). */
  private forgetFull(now: number): void {
    for (const [k, b] of this.buckets)
      if (b.tokens + ((now - b.at) * this.defaultPerMinute) / 60_000 >= this.defaultPerMinute)
        this.buckets.delete(k);
  }

  /** Gives back a token taken for something that turned out not to count (up to the bucket's size). */
  refund(keyId: string, perMinute: number | null): void {
    const b = this.buckets.get(keyId);
    if (b) b.tokens = Math.min(perMinute ?? this.defaultPerMinute, b.tokens + 1);
  }
}
