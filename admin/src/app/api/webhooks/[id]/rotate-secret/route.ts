import { AppError } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { schemesInUse, subscriptionRules } from '@/lib/data/webhooks';
import { loadSubscription } from '../subscription';

async function parseBody(raw: string) {
  let json: unknown;
  try {
    json = raw ? JSON.parse(raw) : undefined;
  } catch {
    throw new AppError('BAD_REQUEST', 'Body must be JSON');
  }
  return (await subscriptionRules()).SecretRotation.parse(json ?? {});
}

/**
 * POST /admin/api/webhooks/:id/rotate-secret `{graceHours?, signing?}`: adds a new key for each
 * scheme the subscription signs with (HMAC and/or ed25519) and lets the current ones expire
 * after the grace period (default 24 h; old and new sign meanwhile). The new `whsec_` is in
 * this response only; the new `whpk_` is also on the subscription; the `whsk_` never leaves.
 */
export const POST = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const { graceHours, signing } = await parseBody(await req.text());
  const rules = await subscriptionRules();
  const client = await db();
  const sub = await loadSubscription(client, params);
  const now = new Date();
  const schemes = signing ? rules.SIGNING_SCHEMES[signing] : await schemesInUse(client, sub.id, now);
  const keys = rules.newSigningKeys(schemes);
  const expiresAt = new Date(now.getTime() + graceHours * 3600_000);
  await client.$transaction([
    client.webhookSecret.updateMany({
      where: { subscriptionId: sub.id, OR: [{ expiresAt: null }, { expiresAt: { gt: expiresAt } }] },
      data: { expiresAt },
    }),
    client.webhookSecret.createMany({ data: keys.rows.map((r) => ({ ...r, subscriptionId: sub.id })) }),
  ]);
  await sendControl(client, user, 'reload-subscriptions', { subscriptionId: sub.id });
  await audit(client, user, req.headers, {
    action: 'webhook.rotate_secret',
    targetType: 'webhook_subscription',
    targetId: sub.id,
    details: { graceHours, schemes },
  });
  return {
    secret: keys.secret,
    publicKey: keys.publicKey,
    previousExpiresAt: expiresAt.toISOString(),
  };
});
