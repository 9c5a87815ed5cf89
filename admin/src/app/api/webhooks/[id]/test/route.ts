import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { loadSubscription } from '../subscription';

/** POST /admin/api/webhooks/:id/test: asks the worker to send a `relay.test` event. */
export const POST = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const client = await db();
  const sub = await loadSubscription(client, params);
  const cmd = await sendControl(client, user, 'send-test', { subscriptionId: sub.id });
  await audit(client, user, req.headers, {
    action: 'webhook.send_test',
    targetType: 'webhook_subscription',
    targetId: sub.id,
  });
  return { commandId: cmd.id };
});
