import { LATENCY_BUCKETS, latencyBucket } from '@3cx-relay/events';
import type { AttemptRecord } from './record-attempts.js';

/** One `delivery_stats` increment: attempts of a subscription in an hour with one outcome. */
export interface StatIncrement {
  subscriptionId: string;
  /** Start of the hour. */
  bucket: Date;
  outcome: string;
  attempts: number;
  succeeded: number;
  totalMs: number;
  histogram: number[];
}

/**
 * The `delivery_stats` outcome of an attempt: its HTTP status, or how it failed without one
 * (`timeout`, `connect`, `dns`, `ssrf`, `other`).
 */
export function attemptOutcome(statusCode: number | null, errorKind: string | null): string {
  return statusCode !== null ? String(statusCode) : (errorKind ?? 'other');
}

/** Folds a batch of attempts into one increment per subscription, hour and outcome. */
export function aggregateStats(batch: readonly AttemptRecord[]): StatIncrement[] {
  const out = new Map<string, StatIncrement>();
  for (const a of batch) {
    const hour = Math.floor(a.startedAt.getTime() / 3_600_000) * 3_600_000;
    const key = `${a.subscriptionId}|${hour}|${a.outcome}`;
    let s = out.get(key);
    if (!s) {
      s = {
        subscriptionId: a.subscriptionId,
        bucket: new Date(hour),
        outcome: a.outcome,
        attempts: 0,
        succeeded: 0,
        totalMs: 0,
        histogram: new Array<number>(LATENCY_BUCKETS).fill(0),
      };
      out.set(key, s);
    }
    s.attempts++;
    if (a.succeeded) s.succeeded++;
    s.totalMs += a.durationMs;
    s.histogram[latencyBucket(a.durationMs)]!++;
  }
  return [...out.values()];
}
