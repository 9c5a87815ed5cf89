import { z } from 'zod';
import { notFound } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { applyHeaderChanges, HEADER_NAMES, subscriptionRules } from '@/lib/data/webhooks';

const Params = z.object({ id: z.uuid('must be a subscription id') });

/**
 * GET /admin/api/webhooks/:id: one subscription with its keys' schemes, dates and `whpk_` public
 * keys (never a `whsec_`/`whsk_`), and its extra headers' names (never their values).
 */
export const GET = handleRoute<{ id: string }>('viewer', async ({ params }) => {
  const sub = await (
    await db()
  ).webhookSubscription.findUnique({
    where: { id: Params.parse(params).id },
    include: {
      secrets: {
        select: { id: true, keyId: true, scheme: true, publicKey: true, createdAt: true, expiresAt: true },
      },
      headers: HEADER_NAMES,
    },
  });
  if (!sub) throw notFound('Subscription');
  return toJson({ subscription: sub });
});

/**
 * PATCH /admin/api/webhooks/:id: edits fields and/or enables/disables. `headers` maps names to
 * new values or null (remove); names not listed keep their value.
 */
export const PATCH = handleRoute<{ id: string }>('admin', async ({ req, user, params, body }) => {
  const { id } = Params.parse(params);
  const rules = await subscriptionRules();
  const patch = await body(rules.SubscriptionPatch);
  const client = await db();
  const current = await client.webhookSubscription.findUnique({
    where: { id },
    include: { headers: { select: { name: true } } },
  });
  if (!current) throw notFound('Subscription');
  rules.check(patch, { ...current, headerNames: current.headers.map((h) => h.name) });
  const { enabled, headers, ...fields } = patch;
  if (headers) await applyHeaderChanges(client, id, headers);
  const toggled = enabled !== undefined && enabled !== current.enabled;
  const sub = await client.webhookSubscription.update({
    where: { id },
    data: {
      ...fields,
      ...(toggled
        ? enabled
          ? {
              enabled: true,
              disabledAt: null,
              disabledReason: null,
              consecutiveFailures: 0,
              failingSince: null,
            }
          : { enabled: false, disabledAt: new Date(), disabledReason: `disabled by ${user.email}` }
        : {}),
    },
    include: { headers: HEADER_NAMES },
  });
  await sendControl(client, user, 'reload-subscriptions', { subscriptionId: id });
  await audit(client, user, req.headers, {
    action: toggled ? (enabled ? 'webhook.enable' : 'webhook.disable') : 'webhook.update',
    targetType: 'webhook_subscription',
    targetId: id,
    details: { fields: Object.keys(fields), headers: headers ? Object.keys(headers) : [] },
  });
  return toJson({ subscription: sub });
});

/** DELETE /admin/api/webhooks/:id: removes the subscription and its delivery log. */
export const DELETE = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const { id } = Params.parse(params);
  const client = await db();
  const r = await client.webhookSubscription.deleteMany({ where: { id } });
  if (r.count === 0) throw notFound('Subscription');
  await sendControl(client, user, 'reload-subscriptions', { subscriptionId: id });
  await audit(client, user, req.headers, {
    action: 'webhook.delete',
    targetType: 'webhook_subscription',
    targetId: id,
  });
  return { deleted: true };
});
