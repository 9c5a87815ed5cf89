import type pg from 'pg';
import { LATENCY_BUCKETS, latencyBucket } from '@3cx-relay/events';
import { coerceError } from '../errors.js';
import type { Logger } from '../logger.js';
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

/** The key of an increment in a map: subscription, hour (ms) and outcome. */
const statKey = (subscriptionId: string, hourMs: number, outcome: string) =>
  `${subscriptionId}|${hourMs}|${outcome}`;

/** Adds `s` to the increment of its subscription, hour and outcome in `into`. */
function mergeInto(into: Map<string, StatIncrement>, s: StatIncrement): void {
  const key = statKey(s.subscriptionId, s.bucket.getTime(), s.outcome);
  const t = into.get(key);
  if (!t) {
    into.set(key, { ...s, histogram: [...s.histogram] });
    return;
  }
  t.attempts += s.attempts;
  t.succeeded += s.succeeded;
  t.totalMs += s.totalMs;
  for (let i = 0; i < LATENCY_BUCKETS; i++) t.histogram[i]! += s.histogram[i] ?? 0;
}

/** Folds attempts into `into`: one increment per subscription, hour and outcome. */
function foldAttempts(into: Map<string, StatIncrement>, batch: readonly AttemptRecord[]): void {
  for (const a of batch) {
    const hour = Math.floor(a.startedAt.getTime() / 3_600_000) * 3_600_000;
    const key = statKey(a.subscriptionId, hour, a.outcome);
    let s = into.get(key);
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
      into.set(key, s);
    }
    s.attempts++;
    if (a.succeeded) s.succeeded++;
    s.totalMs += a.durationMs;
    s.histogram[latencyBucket(a.durationMs)]!++;
  }
}

/** Folds a batch of attempts into one increment per subscription, hour and outcome. */
export function aggregateStats(batch: readonly AttemptRecord[]): StatIncrement[] {
  const out = new Map<string, StatIncrement>();
  foldAttempts(out, batch);
  return [...out.values()];
}

/**
 * Adds increments to `delivery_stats` in one statement. It locks the subscriptions (key share)
 * and is never part of a statement holding delivery row locks: one that did, waiting for a
 * subscription being deleted, deadlocked with that delete, whose cascade waits for those
 * delivery rows. A subscription deleted meanwhile is skipped, not an error.
 */
export async function writeStats(pool: pg.Pool, stats: readonly StatIncrement[]): Promise<void> {
  if (stats.length === 0) return;
  await pool.query(
    `WITH live AS (SELECT id FROM webhook_subscriptions WHERE id = ANY($1::uuid[]) FOR KEY SHARE)
     INSERT INTO delivery_stats (subscription_id, bucket, outcome, attempts, succeeded, total_ms, latency_histogram)
     SELECT s.sid, s.bucket, s.outcome, s.attempts, s.succeeded, s.total_ms, string_to_array(s.hist, ',')::int[]
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::int[], $5::int[], $6::float8[], $7::text[])
         AS s(sid, bucket, outcome, attempts, succeeded, total_ms, hist)
      WHERE s.sid IN (SELECT id FROM live)
     ON CONFLICT (subscription_id, bucket, outcome) DO UPDATE SET
        attempts = delivery_stats.attempts + excluded.attempts,
        succeeded = delivery_stats.succeeded + excluded.succeeded,
        total_ms = delivery_stats.total_ms + excluded.total_ms,
        latency_histogram = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0)
                                    FROM unnest(delivery_stats.latency_histogram, excluded.latency_histogram) AS t(a, b))`,
    [
      stats.map((s) => s.subscriptionId),
      stats.map((s) => s.bucket),
      stats.map((s) => s.outcome),
      stats.map((s) => s.attempts),
      stats.map((s) => s.succeeded),
      stats.map((s) => s.totalMs),
      stats.map((s) => s.histogram.join(',')),
    ],
  );
}

/**
 * The hourly statistics of recorded attempts, gathered in memory and written once per
 * `flushMs` (and at stop) instead of once per attempt batch: at 4,000 deliveries/s the
 * per-batch upsert cost PostgreSQL ~5 % of a core (2026-12-05, pg_stat_statements). The
 * attempts themselves are written at once; a crash loses at most `flushMs` of statistics,
 * never a delivery or an attempt record. A write that fails keeps its increments for the next.
 */
export class DeliveryStatsBuffer {
  private pending = new Map<string, StatIncrement>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly flushMs = 1000,
  ) {}

  /** Counts recorded attempts (written with the next flush). */
  add(batch: readonly AttemptRecord[]): void {
    foldAttempts(this.pending, batch);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushMs).unref();
  }

  /** Writes what was counted so far (after any write in progress). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.writing = writeStats(this.pool, [...batch.values()])
      .then(() => {
        if (this.failing) this.log.info('delivery statistics written again');
        this.failing = false;
      })
      .catch((err: unknown) => {
        // kept for the next flush, added to what arrives meanwhile
        for (const s of batch.values()) mergeInto(this.pending, s);
        if (!this.failing)
          this.log.warn({ err: coerceError(err) }, 'could not write delivery statistics; keeping them');
        this.failing = true;
      })
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }

  /** Stops the timer and writes what is left (one attempt). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
