import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { checkWebhook, listWebhooks, newSecret, WebhookFilter, WebhookInput } from '@/lib/data/webhooks';

/** GET /admin/api/webhooks?page&q: subscriptions, paginated (no secrets). */
export const GET = handleRoute('viewer', async ({ query }) =>
  toJson(await listWebhooks(await db(), query(WebhookFilter))),
);

/** POST /admin/api/webhooks: creates a subscription; its `whsec_` secret is in this response only. */
export const POST = handleRoute('admin', async ({ req, user, body }) => {
  const input = await body(WebhookInput);
  await checkWebhook(input);
  const { secret, ciphertext } = await newSecret();
  const client = await db();
  const sub = await client.webhookSubscription.create({
    data: { ...input, createdById: user.id, secrets: { create: { ciphertext, keyId: 'k1' } } },
  });
  await sendControl(client, user, 'reload-subscriptions', { subscriptionId: sub.id });
  await audit(client, user, req.headers, {
    action: 'webhook.create',
    targetType: 'webhook_subscription',
    targetId: sub.id,
    details: { url: sub.url },
  });
  return toJson({ subscription: sub, secret });
});
