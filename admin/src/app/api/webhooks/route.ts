import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { HEADER_NAMES, listWebhooks, subscriptionRules, WebhookFilter } from '@/lib/data/webhooks';

/** GET /admin/api/webhooks?page&q: subscriptions, paginated (no secrets). */
export const GET = handleRoute('viewer', async ({ query }) =>
  toJson(await listWebhooks(await db(), query(WebhookFilter))),
);

/**
 * POST /admin/api/webhooks `{…fields, headers?, signing?: hmac|ed25519|both}`: creates a
 * subscription (fields and rules of `@3cx-relay/events` `subscription-rules.ts`, shared with
 * the worker's API). Its `whsec_` secret (HMAC) is in this response only; its `whpk_` public key
 * (ed25519) is here and on the subscription. The `whsk_` private key and header values are never
 * returned.
 */
export const POST = handleRoute('admin', async ({ req, user, body }) => {
  const rules = await subscriptionRules();
  const { signing, headers, ...input } = await body(rules.SubscriptionInput);
  rules.check(input);
  const keys = rules.newSigningKeys(rules.SIGNING_SCHEMES[signing]);
  const client = await db();
  const sub = await client.webhookSubscription.create({
    data: {
      ...input,
      createdById: user.id,
      secrets: { create: keys.rows },
      headers: { create: rules.encryptHeaders(headers) },
    },
    include: { headers: HEADER_NAMES },
  });
  await sendControl(client, user, 'reload-subscriptions', { subscriptionId: sub.id });
  await audit(client, user, req.headers, {
    action: 'webhook.create',
    targetType: 'webhook_subscription',
    targetId: sub.id,
    details: { url: sub.url, signing, headers: Object.keys(headers) },
  });
  return toJson({ subscription: sub, secret: keys.secret, publicKey: keys.publicKey });
});
