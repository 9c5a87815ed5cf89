import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { listWebhooks, subscriptionRules, WebhookFilter } from '@/lib/data/webhooks';

/** GET /admin/api/webhooks?page&q: subscriptions, paginated (no secrets). */
export const GET = handleRoute('viewer', async ({ query }) =>
  toJson(await listWebhooks(await db(), query(WebhookFilter))),
);

/**
 * POST /admin/api/webhooks `{…fields, signing?: hmac|ed25519|both}`: creates a subscription.
 * Its `whsec_` secret (HMAC) is in this response only; its `whpk_` public key (ed25519) is
 * here and on the subscription. The `whsk_` private key is never returned.
 */
export const POST = handleRoute('admin', async ({ req, user, body }) => {
  const rules = await subscriptionRules();
  const { signing, ...input } = await body(rules.SubscriptionInput);
  rules.check(input);
  const keys = rules.newSigningKeys(rules.SIGNING_SCHEMES[signing]);
  const client = await db();
  const sub = await client.webhookSubscription.create({
    data: { ...input, createdById: user.id, secrets: { create: keys.rows } },
  });
  await sendControl(client, user, 'reload-subscriptions', { subscriptionId: sub.id });
  await audit(client, user, req.headers, {
    action: 'webhook.create',
    targetType: 'webhook_subscription',
    targetId: sub.id,
    details: { url: sub.url, signing },
  });
  return toJson({ subscription: sub, secret: keys.secret, publicKey: keys.publicKey });
});
