import type { FastifyInstance } from 'fastify';
import {
  SIGNING_SCHEMES,
  SubscriptionInput,
  SubscriptionPatch,
  SubscriptionRuleError,
  checkSubscriptionRules,
  encryptHeaders,
  newSigningKeys,
} from '@3cx-relay/events';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { auditApiAction } from '../api-audit.js';
import { accessOf, idParams, parse, visibleWhere, type WebhookAccess } from './webhook-access.js';
import type { WebhookApiDeps } from './webhook-api-deps.js';
import { SUBSCRIPTION_INCLUDE, subscriptionView } from './webhook-views.js';

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Runs a shared rule check; a broken rule is a 400. */
export function checkRules(...args: Parameters<typeof checkSubscriptionRules>): void {
  try {
    checkSubscriptionRules(...args);
  } catch (err) {
    if (err instanceof SubscriptionRuleError) throw new AppError('BAD_REQUEST', err.message);
    throw err;
  }
}

export function requireEncryptionKey(key: Buffer | undefined): Buffer {
  if (!key)
    throw new AppError('UNAVAILABLE', 'RELAY_ENCRYPTION_KEY is not set: webhook secrets cannot be stored');
  return key;
}

/** An edit's `headers`: a value replaces (encrypted), null removes, names not listed stay; one transaction. */
async function applyHeaderChanges(
  d: WebhookApiDeps,
  subscriptionId: string,
  changes: Record<string, string | null>,
) {
  const set = Object.fromEntries(Object.entries(changes).filter((e): e is [string, string] => e[1] !== null));
  const rows = encryptHeaders(set, requireEncryptionKey(d.encryptionKey));
  await d.db.$transaction([
    d.db.webhookHeader.deleteMany({ where: { subscriptionId, name: { in: Object.keys(changes) } } }),
    d.db.webhookHeader.createMany({ data: rows.map((r) => ({ ...r, subscriptionId })) }),
  ]);
}

/** Loads a subscription the key may see, or 404 (another key's subscription does not exist for it). */
export async function findVisible(d: WebhookApiDeps, a: WebhookAccess, id: string) {
  const sub = await d.db.webhookSubscription.findFirst({
    where: { id, ...visibleWhere(a) },
    include: SUBSCRIPTION_INCLUDE,
  });
  if (!sub) throw new AppError('NOT_FOUND', `no subscription ${id}`);
  return sub;
}

/**
 * `/relay/webhooks` CRUD for API keys: the admin panel's rules, SSRF check, audit log and
 * secret-shown-once, with a key seeing only the subscriptions it created unless it has
 * `webhooks:admin`. Every change reloads this worker's subscription cache at once.
 */
export function registerWebhookRoutes(app: FastifyInstance, d: WebhookApiDeps): void {
  const reload = () => d.delivery.subscriptions.reload();

  app.get('/relay/webhooks', { preHandler: d.auth }, async (req) => {
    const a = accessOf(req);
    const q = parse(ListQuery, req.query);
    const where = visibleWhere(a);
    // One snapshot for the page and its total: two separate reads let a delivery that changed
    // state between them show in the total but not in the items.
    const [rows, total] = await d.db.$transaction(
      [
        d.db.webhookSubscription.findMany({
          where,
          include: SUBSCRIPTION_INCLUDE,
          orderBy: { createdAt: 'desc' },
          take: q.limit,
          skip: q.offset,
        }),
        d.db.webhookSubscription.count({ where }),
      ],
      { isolationLevel: 'RepeatableRead' },
    );
    const next = q.offset + rows.length;
    return {
      items: rows.map((r) => subscriptionView(r)),
      total,
      limit: q.limit,
      offset: q.offset,
      nextOffset: next < total ? next : null,
    };
  });

  app.post('/relay/webhooks', { preHandler: d.auth }, async (req, reply) => {
    const a = accessOf(req);
    const { signing, headers, ...input } = parse(SubscriptionInput, req.body);
    checkRules(input);
    const encryptionKey = requireEncryptionKey(d.encryptionKey);
    const keys = newSigningKeys(SIGNING_SCHEMES[signing], encryptionKey);
    const sub = await d.db.webhookSubscription.create({
      data: {
        ...input,
        createdByApiKeyId: a.key.id,
        secrets: { create: keys.rows },
        headers: { create: encryptHeaders(headers, encryptionKey) },
      },
      include: SUBSCRIPTION_INCLUDE,
    });
    await reload();
    await auditApiAction(d.db, req, {
      action: 'webhook.create',
      targetType: 'webhook_subscription',
      targetId: sub.id,
      details: { url: sub.url, signing, headers: Object.keys(headers) },
    });
    reply.status(201).header('location', `/relay/webhooks/${sub.id}`);
    return { subscription: subscriptionView(sub), secret: keys.secret, publicKey: keys.publicKey };
  });

  app.get('/relay/webhooks/:id', { preHandler: d.auth }, async (req) => {
    const { id } = parse(idParams, req.params);
    return subscriptionView(await findVisible(d, accessOf(req), id));
  });

  app.patch('/relay/webhooks/:id', { preHandler: d.auth }, async (req) => {
    const a = accessOf(req);
    const { id } = parse(idParams, req.params);
    const patch = parse(SubscriptionPatch, req.body);
    const current = await findVisible(d, a, id);
    checkRules(patch, { ...current, headerNames: current.headers.map((h) => h.name) });
    const { enabled, headers, ...fields } = patch;
    if (headers) await applyHeaderChanges(d, id, headers);
    const toggled = enabled !== undefined && enabled !== current.enabled;
    const sub = await d.db.webhookSubscription.update({
      where: { id },
      include: SUBSCRIPTION_INCLUDE,
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
            : {
                enabled: false,
                disabledAt: new Date(),
                disabledReason: `disabled by API key ${a.key.prefix}`,
              }
          : {}),
      },
    });
    await reload();
    await auditApiAction(d.db, req, {
      action: toggled ? (enabled ? 'webhook.enable' : 'webhook.disable') : 'webhook.update',
      targetType: 'webhook_subscription',
      targetId: id,
      details: { fields: Object.keys(fields), headers: headers ? Object.keys(headers) : [] },
    });
    return subscriptionView(sub);
  });

  app.delete('/relay/webhooks/:id', { preHandler: d.auth }, async (req, reply) => {
    const a = accessOf(req);
    const { id } = parse(idParams, req.params);
    const r = await d.db.webhookSubscription.deleteMany({ where: { id, ...visibleWhere(a) } });
    if (r.count === 0) throw new AppError('NOT_FOUND', `no subscription ${id}`);
    await reload();
    await auditApiAction(d.db, req, {
      action: 'webhook.delete',
      targetType: 'webhook_subscription',
      targetId: id,
    });
    return reply.status(204).send();
  });
}
