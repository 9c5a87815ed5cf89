import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { activitySeries, firstChartHour } from '../src/lib/data/series.js';
import { getStats } from '../src/lib/data/stats.js';

// The dashboard's delivery counts come from the worker's hourly counters (delivery_stats), over
// the chart's 24 hourly buckets: this hour and the 23 before it, nothing older.
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('admin_counts');
});
afterAll(async () => {
  await t.drop();
});

describe('dashboard delivery counts', () => {
  it('sums succeeded and failed attempts per hour over the last 24 hourly buckets', async () => {
    const db = t.db();
    const sub = await db.webhookSubscription.create({
      data: { name: 'counts', url: 'https://crm.example.com/h' },
    });
    const hour = 3_600_000;
    const now = Date.now();
    const first = firstChartHour(now).getTime();
    const thisHour = first + 23 * hour;
    const rows: [number, string, number, number][] = [
      [thisHour, '200', 5, 5],
      [thisHour, '500', 2, 0],
      [thisHour, 'timeout', 1, 0],
      [first, '200', 4, 4], // the oldest bucket shown
      [first - hour, '200', 100, 100], // 24 hours before this one: not shown, not counted
    ];
    for (const [bucket, outcome, attempts, succeeded] of rows)
      await db.deliveryStat.create({
        data: {
          subscriptionId: sub.id,
          bucket: new Date(bucket),
          outcome,
          attempts,
          succeeded,
          totalMs: attempts * 10,
          latencyHistogram: [],
        },
      });

    const stats = await getStats(db, now);
    expect([stats.deliveriesOk, stats.deliveriesFailed]).toEqual([9, 3]);

    const series = await activitySeries(db, now);
    expect(series).toHaveLength(24);
    expect([series[23]!.deliveriesOk, series[23]!.deliveriesFailed]).toEqual([5, 3]);
    expect([series[0]!.deliveriesOk, series[0]!.deliveriesFailed]).toEqual([4, 0]);
    expect(series[0]!.label).toBe(`${String(new Date(first).getUTCHours()).padStart(2, '0')}:00`);
    expect(series.slice(1, 23).every((p) => p.deliveriesOk === 0 && p.deliveriesFailed === 0)).toBe(true);
  });
});
