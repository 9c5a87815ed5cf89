import { z } from 'zod';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { newSecret } from '@/lib/data/webhooks';
import { loadSubscription } from '../subscription';

const Body = z
  .object({
    graceHours: z
      .number()
      .min(0)
      .max(24 * 7)
      .default(24),
  })
  .default({ graceHours: 24 });

/**
 * POST /admin/api/webhooks/:id/rotate-secret `{graceHours?}`: adds a new secret and lets the
 * current ones expire after the grace period (default 24 h; both sign meanwhile). The new
 * `whsec_` is in this response only.
 */
export const POST = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const raw = await req.text();
  const { graceHours } = Body.parse(raw ? JSON.parse(raw) : undefined);
  const client = await db();
  const sub = await loadSubscription(client, params);
  const { secret, ciphertext } = await newSecret();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + graceHours * 3600_000);
  await client.$transaction([
    client.webhookSecret.updateMany({
      where: { subscriptionId: sub.id, OR: [{ expiresAt: null }, { expiresAt: { gt: expiresAt } }] },
      data: { expiresAt },
    }),
    client.webhookSecret.create({ data: { subscriptionId: sub.id, ciphertext, keyId: 'k1' } }),
  ]);
  await sendControl(client, user, 'reload-subscriptions', { subscriptionId: sub.id });
  await audit(client, user, req.headers, {
    action: 'webhook.rotate_secret',
    targetType: 'webhook_subscription',
    targetId: sub.id,
    details: { graceHours },
  });
  return { secret, previousExpiresAt: expiresAt.toISOString() };
});
