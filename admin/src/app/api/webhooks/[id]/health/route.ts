import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { webhookHealth } from '@/lib/data/webhook-health';
import { loadSubscription } from '../subscription';

/**
 * GET /admin/api/webhooks/:id/health: success rate, p50/p95 latency and outcomes over the last
 * 24 hours and 7 days, with hourly and daily points.
 */
export const GET = handleRoute<{ id: string }>('viewer', async ({ params }) => {
  const client = await db();
  const sub = await loadSubscription(client, params);
  return webhookHealth(client, sub.id);
});
