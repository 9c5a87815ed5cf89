import type { Db } from '@3cx-relay/db';
import type { DeliveryHealth, HealthPoint, HealthWindow } from '@3cx-relay/events';
import { eventsPackage } from '@/lib/workspace';

export type { HealthPoint, HealthWindow };

/** `GET /admin/api/webhooks/:id/health` (the same shape as the worker's `/relay/webhooks/:id/health`). */
export type WebhookHealth = DeliveryHealth;

/**
 * Success rate, p50/p95 latency and outcomes of a subscription over the last 24 hours and 7 days,
 * with hourly and daily points, from the worker's hourly `delivery_stats` (`deliveryHealth` of
 * `@3cx-relay/events` does the sums).
 */
export async function webhookHealth(
  db: Db,
  subscriptionId: string,
  now = new Date(),
): Promise<WebhookHealth> {
  const { deliveryHealth, healthSince } = await eventsPackage();
  const rows = await db.deliveryStat.findMany({
    where: { subscriptionId, bucket: { gte: healthSince(now) } },
    select: { bucket: true, outcome: true, attempts: true, succeeded: true, latencyHistogram: true },
  });
  return deliveryHealth(rows, now);
}
