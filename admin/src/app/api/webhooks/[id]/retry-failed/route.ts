import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { loadSubscription } from '../subscription';

/** POST /admin/api/webhooks/:id/retry-failed: asks the worker to retry every failed delivery. */
export const POST = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const client = await db();
  const sub = await loadSubscription(client, params);
  const cmd = await sendControl(client, user, 'retry-failed', { subscriptionId: sub.id });
  await audit(client, user, req.headers, {
    action: 'webhook.retry_failed',
    targetType: 'webhook_subscription',
    targetId: sub.id,
  });
  return { commandId: cmd.id };
});
