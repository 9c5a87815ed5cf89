import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { DeliveryFilter, listDeliveries } from '@/lib/data/webhooks';
import { loadSubscription } from '../subscription';

/** GET /admin/api/webhooks/:id/deliveries?page&status: the delivery log with attempts. */
export const GET = handleRoute<{ id: string }>('viewer', async ({ params, query }) => {
  const client = await db();
  const sub = await loadSubscription(client, params);
  return toJson(await listDeliveries(client, sub.id, query(DeliveryFilter)));
});
