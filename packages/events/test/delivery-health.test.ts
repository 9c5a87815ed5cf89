import { describe, expect, it } from 'vitest';
import {
  LATENCY_BUCKETS,
  deliveryHealth,
  healthSince,
  latencyBucket,
  type DeliveryStatRow,
} from '../src/index.js';

const HOUR = 3_600_000;
const now = new Date('2026-12-04T15:20:00Z');
const thisHour = Date.parse('2026-12-04T15:00:00Z');

/** A stats row `hoursAgo` hours before this one, all attempts taking `ms`. */
function row(hoursAgo: number, outcome: string, attempts: number, succeeded: number, ms: number) {
  const latencyHistogram = new Array<number>(LATENCY_BUCKETS).fill(0);
  latencyHistogram[latencyBucket(ms)] = attempts;
  return { bucket: new Date(thisHour - hoursAgo * HOUR), outcome, attempts, succeeded, latencyHistogram };
}

describe('deliveryHealth', () => {
  it('sums 24 h and 7 days apart, latency over answered attempts only, outcomes most frequent first', () => {
    const rows: DeliveryStatRow[] = [
      row(0, '200', 90, 90, 20),
      row(0, '503', 5, 0, 20),
      row(23, 'timeout', 5, 0, 10_000), // oldest hour inside 24 h
      row(24, '200', 100, 100, 400), // first hour outside it
      row(7 * 24 - 1, '500', 10, 0, 400), // oldest hour inside 7 days
    ];
    const h = deliveryHealth(rows, now);
    expect(h.windows['24h']).toMatchObject({ attempts: 100, succeeded: 90, successRate: 0.9 });
    expect(h.windows['24h'].outcomes).toEqual([
      { outcome: '200', attempts: 90 },
      { outcome: '503', attempts: 5 },
      { outcome: 'timeout', attempts: 5 },
    ]);
    expect(h.windows['24h'].p95Ms).toBeLessThanOrEqual(20); // the timeouts do not count
    expect(h.windows['7d']).toMatchObject({ attempts: 210, succeeded: 190 });
    expect(h.windows['7d'].p95Ms).toBeGreaterThan(300);
    expect(h.hourly).toHaveLength(24);
    expect(h.hourly.at(-1)).toMatchObject({ label: '15:00', succeeded: 90, failed: 5 });
    expect(h.hourly[0]).toMatchObject({ label: '16:00', succeeded: 0, failed: 5, p50Ms: null });
    // Rolling 24-hour points ending with this hour, labelled by the day each starts on.
    expect(h.daily.map((d) => d.label)).toEqual([
      '11-27',
      '11-28',
      '11-29',
      '11-30',
      '12-01',
      '12-02',
      '12-03',
    ]);
    expect(h.daily.reduce((n, d) => n + d.succeeded + d.failed, 0)).toBe(210);
    expect(healthSince(now).getTime()).toBe(thisHour - (7 * 24 - 1) * HOUR);
  });

  it('has null rates and percentiles without attempts', () => {
    const h = deliveryHealth([], now);
    expect(h.windows['7d']).toEqual({
      attempts: 0,
      succeeded: 0,
      successRate: null,
      p50Ms: null,
      p95Ms: null,
      outcomes: [],
    });
  });
});
