/**
 * Where verified deliveries are remembered to refuse replays. Implement it on Redis (or any
 * shared store) when several processes receive webhooks; see the README for a 5-line Lua version.
 */
export interface ReplayCache {
  /**
   * Records that the delivery `webhookId` signed at `timestampSec` was accepted. Returns false
   * when that id was already accepted with the same or a later timestamp (a replayed request).
   * A later timestamp is a fresh signature, which only the relay can make: its retry after
   * your handler failed, so it is let through. Keep the entry at least `ttlSec` seconds.
   */
  remember(webhookId: string, timestampSec: number, ttlSec: number): boolean | Promise<boolean>;
}

/** Options of {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /** Entries kept at most; the oldest go first (default 100 000, about 10 MB). */
  maxEntries?: number;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
}

/** An in-process {@link ReplayCache}: enough for a single receiving process. */
export class MemoryReplayCache implements ReplayCache {
  private readonly seen = new Map<string, { timestampSec: number; expiresAt: number }>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private insertsSinceSweep = 0;

  constructor(options: MemoryReplayCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Entries currently held (expired ones may linger until the next sweep). */
  get size(): number {
    return this.seen.size;
  }

  remember(webhookId: string, timestampSec: number, ttlSec: number): boolean {
    const now = this.now();
    const prev = this.seen.get(webhookId);
    if (prev && prev.expiresAt > now && prev.timestampSec >= timestampSec) return false;
    this.seen.delete(webhookId); // re-insert at the end: Map order is then roughly expiry order
    this.seen.set(webhookId, { timestampSec, expiresAt: now + ttlSec * 1000 });
    if (++this.insertsSinceSweep >= 1000 || this.seen.size > this.maxEntries) this.sweep(now);
    return true;
  }

  private sweep(now: number): void {
    this.insertsSinceSweep = 0;
    for (const [id, e] of this.seen) if (e.expiresAt <= now) this.seen.delete(id);
    for (const id of this.seen.keys()) {
      if (this.seen.size <= this.maxEntries) break;
      this.seen.delete(id);
    }
  }
}
