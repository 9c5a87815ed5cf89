import { z } from 'zod';
import { histogramPercentile, mergeHistograms } from './latency-histogram.js';

/** Delivery health of one subscription over a window. */
export const healthWindowSchema = z.object({
  attempts: z.number().int(),
  succeeded: z.number().int(),
  /** Share of attempts answered 2xx, 0–1; null without attempts. */
  successRate: z.number().nullable(),
  /** Latency of attempts that got an HTTP answer, ms (histogram resolution); null without any. */
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  /** Attempts per outcome (HTTP status or `timeout` | `connect` | `dns` | `ssrf` | `other`), most frequent first. */
  outcomes: z.array(z.object({ outcome: z.string(), attempts: z.number().int() })),
});

/** One point of a health chart: `label` is the UTC hour (`HH:00`, 24 h) or day (`MM-DD`, 7 d). */
export const healthPointSchema = z.object({
  label: z.string(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
});

/** A subscription's delivery health: last 24 hours and 7 days, with hourly and daily points. */
export const deliveryHealthSchema = z.object({
  windows: z.object({ '24h': healthWindowSchema, '7d': healthWindowSchema }),
  hourly: z.array(healthPointSchema),
  daily: z.array(healthPointSchema),
});

export type HealthWindow = z.infer<typeof healthWindowSchema>;
export type HealthPoint = z.infer<typeof healthPointSchema>;
export type DeliveryHealth = z.infer<typeof deliveryHealthSchema>;

/** One `delivery_stats` row: attempts of a subscription in one UTC hour with one outcome. */
export interface DeliveryStatRow {
  /** Start of the UTC hour. */
  bucket: Date;
  outcome: string;
  attempts: number;
  succeeded: number;
  latencyHistogram: number[];
}

const HOUR = 3_600_000;
const hourOf = (now: Date) => Math.floor(now.getTime() / HOUR) * HOUR;

/** The oldest `delivery_stats` bucket `deliveryHealth` reads: the last 7 × 24 hours, this one included. */
export function healthSince(now = new Date()): Date {
  return new Date(hourOf(now) - (7 * 24 - 1) * HOUR);
}

function summarise(part: DeliveryStatRow[]): Omit<HealthWindow, 'outcomes'> {
  const attempts = part.reduce((n, r) => n + r.attempts, 0);
  const succeeded = part.reduce((n, r) => n + r.succeeded, 0);
  const answered = mergeHistograms(
    part.filter((r) => /^\d+$/.test(r.outcome)).map((r) => r.latencyHistogram),
  );
  return {
    attempts,
    succeeded,
    successRate: attempts ? succeeded / attempts : null,
    p50Ms: histogramPercentile(answered, 50),
    p95Ms: histogramPercentile(answered, 95),
  };
}

/**
 * Success rate, p50/p95 latency and outcomes over the last 24 hours and 7 days, with hourly and
 * daily points, from a subscription's hourly `delivery_stats` rows since `healthSince(now)`
 * (never the attempt log, so it stays cheap however busy the endpoint is). Used by the admin's
 * and the worker's health routes alike.
 */
export function deliveryHealth(rows: readonly DeliveryStatRow[], now = new Date()): DeliveryHealth {
  const hour = hourOf(now);
  const window = (hours: number): HealthWindow => {
    const part = rows.filter((r) => r.bucket.getTime() > hour - hours * HOUR);
    const outcomes = new Map<string, number>();
    for (const r of part) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + r.attempts);
    return {
      ...summarise(part),
      outcomes: [...outcomes]
        .map(([outcome, attempts]) => ({ outcome, attempts }))
        .sort((a, b) => b.attempts - a.attempts),
    };
  };
  const points = (count: number, size: number, label: (start: Date) => string): HealthPoint[] =>
    Array.from({ length: count }, (_, i) => {
      const end = hour + HOUR - (count - 1 - i) * size * HOUR;
      const s = summarise(
        rows.filter((r) => r.bucket.getTime() < end && r.bucket.getTime() >= end - size * HOUR),
      );
      return {
        label: label(new Date(end - size * HOUR)),
        succeeded: s.succeeded,
        failed: s.attempts - s.succeeded,
        p50Ms: s.p50Ms,
        p95Ms: s.p95Ms,
      };
    });
  return {
    windows: { '24h': window(24), '7d': window(7 * 24) },
    hourly: points(24, 1, (d) => `${String(d.getUTCHours()).padStart(2, '0')}:00`),
    daily: points(7, 24, (d) => d.toISOString().slice(5, 10)),
  };
}
