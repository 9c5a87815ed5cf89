import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { z } from 'zod';
import {
  encryptHeaders,
  HEADER_NAMES,
  listWebhooks,
  newSigningKeys,
  readSubscriptionCreate,
  SIGNING_SCHEMES,
  WebhookFilter,
} from '@/lib/data/webhooks';

/** GET /admin/api/webhooks?page&q: subscriptions, paginated (no secrets). */
export const GET = handleRoute('viewer', async ({ query }) =>
  toJson(await listWebhooks(await db(), query(WebhookFilter))),
);

/**
 * POST /admin/api/webhooks `{…fields, headers?, signing?: hmac|ed25519|both}`: creates a
 * subscription (fields validated by `@3cx-relay/events` `parseSubscriptionCreate`, shared with
 * the worker's API). Its `whsec_` secret (HMAC) is in this response only; its `whpk_` public key
 * (ed25519) is here and on the subscription. The `whsk_` private key and header values are never
 * returned.
 */
export const POST = handleRoute('admin', async ({ req, user, body }) => {
  const { signing, headers, ...input } = await readSubscriptionCreate(await body(z.unknown()));
  const keys = await newSigningKeys(SIGNING_SCHEMES[signing]);
  const client = await db();
  const sub = await client.webhookSubscription.create({
    data: {
      ...input,
      createdById: user.id,
      secrets: { create: keys.rows },
      headers: { create: await encryptHeaders(headers) },
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
