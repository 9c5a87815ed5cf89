import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { LATENCY_BUCKETS } from '@3cx-relay/events';
import { DeliveryStatsBuffer } from '../../src/delivery/delivery-stats.js';
import type { AttemptRecord } from '../../src/delivery/record-attempts.js';
import { createSubscription, silent } from './harness.js';

const HOUR = Date.UTC(2026, 11, 5, 13);

function attempt(
  subscriptionId: string,
  statusCode: number | null,
  durationMs: number,
  at = HOUR + 60_000,
): AttemptRecord {
  const ok = statusCode !== null && statusCode < 300;
  return {
    deliveryId: '1',
    subscriptionId,
    attemptNo: 1,
    trigger: 'scheduled',
    startedAt: new Date(at),
    durationMs,
    statusCode,
    excerpt: null,
    error: ok ? null : 'refused',
    outcome: statusCode === null ? 'connect' : String(statusCode),
    succeeded: ok,
    status: ok ? 'succeeded' : 'pending',
    nextAttemptAt: null,
  };
}

describe('delivery statistics buffer', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    t = await createTestDatabase('stats_buffer');
    pool = new pg.Pool({ connectionString: t.url, max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
  });

  const rows = async (subscriptionId: string) =>
    (
      await pool.query<{
        bucket: Date;
        outcome: string;
        attempts: number;
        succeeded: number;
        total_ms: number;
        h: number[];
      }>(
        `SELECT bucket, outcome, attempts, succeeded, total_ms, latency_histogram AS h
           FROM delivery_stats WHERE subscription_id = $1 ORDER BY bucket, outcome`,
        [subscriptionId],
      )
    ).rows;

  it('adds batches up in memory and writes one row per subscription, hour and outcome', async () => {
    const sub = await createSubscription(pool, { url: 'http://127.0.0.1:9/a' });
    const buffer = new DeliveryStatsBuffer(pool, silent, 60_000);
    buffer.add([attempt(sub.id, 200, 4), attempt(sub.id, 200, 6), attempt(sub.id, 503, 10)]);
    buffer.add([attempt(sub.id, 200, 5), attempt(sub.id, null, 0, HOUR + 3_600_000)]);
    expect(await rows(sub.id)).toEqual([]); // nothing written before a flush
    await buffer.flush();
    const written = await rows(sub.id);
    expect(written.map((r) => [r.bucket.getTime(), r.outcome, r.attempts, r.succeeded, r.total_ms])).toEqual([
      [HOUR, '200', 3, 3, 15],
      [HOUR, '503', 1, 0, 10],
      [HOUR + 3_600_000, 'connect', 1, 0, 0],
    ]);
    expect(written[0]!.h).toHaveLength(LATENCY_BUCKETS);
    expect(written[0]!.h.reduce((a, b) => a + b, 0)).toBe(3);

    // a later flush adds to the same rows
    buffer.add([attempt(sub.id, 200, 1)]);
    await buffer.stop();
    expect((await rows(sub.id))[0]).toMatchObject({ attempts: 4, succeeded: 4, total_ms: 16 });
    await buffer.flush(); // nothing left: no change
    expect((await rows(sub.id))[0]).toMatchObject({ attempts: 4 });
  });

  it('keeps what it could not write and writes it with the next flush', async () => {
    const sub = await createSubscription(pool, { url: 'http://127.0.0.1:9/b' });
    const buffer = new DeliveryStatsBuffer(pool, silent, 60_000);
    buffer.add([attempt(sub.id, 200, 2), attempt(sub.id, 500, 3)]);
    await pool.query('ALTER TABLE delivery_stats RENAME TO delivery_stats_away');
    try {
      await buffer.flush(); // fails: the table is gone
      buffer.add([attempt(sub.id, 200, 4)]);
    } finally {
      await pool.query('ALTER TABLE delivery_stats_away RENAME TO delivery_stats');
    }
    await buffer.flush();
    expect((await rows(sub.id)).map((r) => [r.outcome, r.attempts, r.succeeded, r.total_ms])).toEqual([
      ['200', 2, 2, 6],
      ['500', 1, 0, 3],
    ]);
  });

  it('writes on its timer once started, and skips a subscription deleted meanwhile', async () => {
    const sub = await createSubscription(pool, { url: 'http://127.0.0.1:9/c' });
    const gone = await createSubscription(pool, { url: 'http://127.0.0.1:9/d' });
    const buffer = new DeliveryStatsBuffer(pool, silent, 50);
    buffer.start();
    try {
      buffer.add([attempt(sub.id, 200, 1), attempt(gone.id, 200, 1)]);
      await pool.query('DELETE FROM webhook_subscriptions WHERE id = $1', [gone.id]);
      await expect.poll(async () => (await rows(sub.id)).length, { timeout: 20_000 }).toBe(1);
      expect(await rows(gone.id)).toEqual([]);
    } finally {
      await buffer.stop();
    }
  });
});
