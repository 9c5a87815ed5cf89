import type { Db } from '@3cx-relay/db';
import { eventsPackage } from '@/lib/workspace';

/** Delivery health of one subscription over a window. */
export interface HealthWindow {
  attempts: number;
  succeeded: number;
  /** Share of attempts answered 2xx, 0–1; null without attempts. */
  successRate: number | null;
  /** Latency of attempts that got an HTTP answer, ms (histogram resolution); null without any. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Attempts per outcome (HTTP status or `timeout` | `connect` | `dns` | `ssrf` | `other`), most frequent first. */
  outcomes: { outcome: string; attempts: number }[];
}

/** One point of a health chart: `label` is the UTC hour (24 h) or day (7 d). */
export interface HealthPoint {
  label: string;
  succeeded: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** `GET /admin/api/webhooks/:id/health`. */
export interface WebhookHealth {
  windows: { '24h': HealthWindow; '7d': HealthWindow };
  hourly: HealthPoint[];
  daily: HealthPoint[];
}

type StatRow = {
  bucket: Date;
  outcome: string;
  attempts: number;
  succeeded: number;
  latencyHistogram: number[];
};

const HOUR = 3_600_000;

/**
 * Success rate, p50/p95 latency and outcomes of a subscription over the last 24 hours and 7 days,
 * with hourly and daily points, from the worker's hourly `delivery_stats` (never the attempt log,
 * so it stays cheap however busy the endpoint is).
 */
export async function webhookHealth(
  db: Db,
  subscriptionId: string,
  now = new Date(),
): Promise<WebhookHealth> {
  const hour = Math.floor(now.getTime() / HOUR) * HOUR;
  const rows: StatRow[] = await db.deliveryStat.findMany({
    where: { subscriptionId, bucket: { gte: new Date(hour - (7 * 24 - 1) * HOUR) } },
    select: { bucket: true, outcome: true, attempts: true, succeeded: true, latencyHistogram: true },
  });
  const { mergeHistograms, histogramPercentile } = await eventsPackage();
  const summarise = (part: StatRow[]): Omit<HealthWindow, 'outcomes'> => {
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
  };
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
      const part = rows.filter((r) => r.bucket.getTime() < end && r.bucket.getTime() >= end - size * HOUR);
      const s = summarise(part);
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
