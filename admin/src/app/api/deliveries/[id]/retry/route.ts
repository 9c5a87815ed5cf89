import { z } from 'zod';
import { notFound } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';

const Params = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a delivery id') });

/** POST /admin/api/deliveries/:id/retry: asks the worker to send one delivery again now. */
export const POST = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const id = BigInt(Params.parse(params).id);
  const client = await db();
  const d = await client.delivery.findUnique({ where: { id } });
  if (!d) throw notFound('Delivery');
  const cmd = await sendControl(client, user, 'retry-delivery', { deliveryId: id.toString() });
  await audit(client, user, req.headers, {
    action: 'delivery.retry',
    targetType: 'delivery',
    targetId: id.toString(),
    details: { subscriptionId: d.subscriptionId },
  });
  return { commandId: cmd.id };
});
