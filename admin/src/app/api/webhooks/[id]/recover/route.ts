import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { loadSubscription } from '../subscription';

const Body = z.object({
  since: z.iso.datetime({ offset: true, local: true, error: 'must be an ISO date-time' }),
});

/** POST /admin/api/webhooks/:id/recover `{since}`: re-sends every event since that time. */
export const POST = handleRoute<{ id: string }>('admin', async ({ req, user, params, body }) => {
  const { since } = await body(Body);
  const at = new Date(since);
  if (Number.isNaN(at.getTime()) || at.getTime() > Date.now())
    throw new AppError('BAD_REQUEST', 'since: must be a past date-time');
  const client = await db();
  const sub = await loadSubscription(client, params);
  const cmd = await sendControl(client, user, 'recover', { subscriptionId: sub.id, since: at.toISOString() });
  await audit(client, user, req.headers, {
    action: 'webhook.recover',
    targetType: 'webhook_subscription',
    targetId: sub.id,
    details: { since: at.toISOString() },
  });
  return { commandId: cmd.id };
});
