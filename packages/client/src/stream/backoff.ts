/** Reconnect delays of {@link RelayEventStream}. */
export interface BackoffOptions {
  /** First delay in ms (default 500). */
  initialDelayMs?: number;
  /** Largest delay in ms (default 30 000). */
  maxDelayMs?: number;
}

/**
 * Exponential backoff with "equal jitter": the n-th delay is uniformly random in
 * [d/2, d] with d = min(max, initial · 2ⁿ), so a fleet of consumers cut off by one relay
 * restart does not reconnect in lockstep, yet never retries immediately.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay in ms; at least `floorMs` (e.g. a server's Retry-After). */
  next(floorMs = 0): number {
    const initial = this.options.initialDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 30_000;
    const ceiling = Math.min(max, initial * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.max(floorMs, Math.round(ceiling / 2 + (this.random() * ceiling) / 2));
  }

  /** Back to the first delay (after a connection that worked). */
  reset(): void {
    this.attempt = 0;
  }
}
