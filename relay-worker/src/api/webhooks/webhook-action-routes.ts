import type { FastifyInstance } from 'fastify';
import {
  SIGNING_SCHEMES,
  SecretRotation,
  deliveryHealth,
  eventTypeSchema,
  healthSince,
  newSigningKeys,
  schemesOf,
} from '@3cx-relay/events';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { recoverSince, retryDelivery, retryFailed, sendTest } from '../../delivery/replay.js';
import { auditApiAction } from '../api-audit.js';
import { accessOf, deliveryParams, idParams, parse } from './webhook-access.js';
import type { WebhookApiDeps } from './webhook-api-deps.js';
import { findVisible, requireEncryptionKey } from './webhook-routes.js';
import { DELIVERY_INCLUDE, deliveryView } from './webhook-views.js';

const DeliveryQuery = z.object({
  status: z.enum(['pending', 'succeeded', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const RecoverBody = z.object({
  since: z.iso.datetime({ offset: true, local: true, error: 'must be an ISO date-time' }),
});
const TestQuery = z.object({ type: eventTypeSchema.optional() });

/**
 * The subscription actions of `/relay/webhooks/{id}/…`: delivery log, delivery health (24 h
 * and 7 days from `delivery_stats`), retry one, retry failed, recover since T, rotate secret, send test. Each checks the key may see the
 * subscription (404 otherwise), is audited, and runs in this worker at once: queued
 * deliveries go through the dispatcher like any other (signing, SSRF guard, retries).
 */
export function registerWebhookActionRoutes(app: FastifyInstance, d: WebhookApiDeps): void {
  const audit = auditApiAction.bind(null, d.db);
  const wake = <T>(v: T) => (d.delivery.dispatcher.wake(), v);

  app.get('/relay/webhooks/:id/deliveries', { preHandler: d.auth }, async (req) => {
    const { id } = parse(idParams, req.params);
    await findVisible(d, accessOf(req), id);
    const q = parse(DeliveryQuery, req.query);
    const where = { subscriptionId: id, ...(q.status ? { status: q.status } : {}) };
    // One snapshot for the page and its total: two separate reads let a delivery that changed
    // state between them show in the total but not in the items.
    const [rows, total] = await d.db.$transaction(
      [
        d.db.delivery.findMany({
          where,
          include: DELIVERY_INCLUDE,
          orderBy: { id: 'desc' },
          take: q.limit,
          skip: q.offset,
        }),
        d.db.delivery.count({ where }),
      ],
      { isolationLevel: 'RepeatableRead' },
    );
    const next = q.offset + rows.length;
    return {
      items: rows.map(deliveryView),
      total,
      limit: q.limit,
      offset: q.offset,
      nextOffset: next < total ? next : null,
    };
  });

  app.get('/relay/webhooks/:id/health', { preHandler: d.auth }, async (req) => {
    const { id } = parse(idParams, req.params);
    await findVisible(d, accessOf(req), id);
    const now = new Date();
    const rows = await d.db.deliveryStat.findMany({
      where: { subscriptionId: id, bucket: { gte: healthSince(now) } },
      select: { bucket: true, outcome: true, attempts: true, succeeded: true, latencyHistogram: true },
    });
    return deliveryHealth(rows, now);
  });

  app.post('/relay/webhooks/:id/deliveries/:deliveryId/retry', { preHandler: d.auth }, async (req) => {
    const { id, deliveryId } = parse(deliveryParams, req.params);
    await findVisible(d, accessOf(req), id);
    const row = await d.db.delivery.findFirst({ where: { id: BigInt(deliveryId), subscriptionId: id } });
    if (!row) throw new AppError('NOT_FOUND', `no delivery ${deliveryId} of subscription ${id}`);
    const queued = wake(await retryDelivery(d.pool, deliveryId));
    await audit(req, {
      action: 'delivery.retry',
      targetType: 'delivery',
      targetId: deliveryId,
      details: { subscriptionId: id },
    });
    return { queued };
  });

  app.post('/relay/webhooks/:id/retry-failed', { preHandler: d.auth }, async (req) => {
    const { id } = parse(idParams, req.params);
    await findVisible(d, accessOf(req), id);
    await d.delivery.subscriptions.reload();
    const queued = wake(await retryFailed(d.pool, id));
    await audit(req, {
      action: 'webhook.retry_failed',
      targetType: 'webhook_subscription',
      targetId: id,
      details: { queued },
    });
    return { queued };
  });

  app.post('/relay/webhooks/:id/recover', { preHandler: d.auth }, async (req) => {
    const { id } = parse(idParams, req.params);
    const since = new Date(parse(RecoverBody, req.body).since);
    if (since.getTime() > Date.now()) throw new AppError('BAD_REQUEST', 'since: must be a past date-time');
    await findVisible(d, accessOf(req), id);
    await d.delivery.subscriptions.reload();
    const queued = wake(await recoverSince(d.pool, id, since, d.retentionMs));
    await audit(req, {
      action: 'webhook.recover',
      targetType: 'webhook_subscription',
      targetId: id,
      details: { since: since.toISOString(), queued },
    });
    return { queued };
  });

  app.post('/relay/webhooks/:id/rotate-secret', { preHandler: d.auth }, async (req) => {
    const { id } = parse(idParams, req.params);
    const { graceHours, signing } = parse(SecretRotation, req.body);
    const sub = await findVisible(d, accessOf(req), id);
    const now = new Date();
    const live = sub.secrets.filter((k) => !k.expiresAt || k.expiresAt > now).map((k) => k.scheme);
    const schemes = signing ? SIGNING_SCHEMES[signing] : schemesOf(live);
    const keys = newSigningKeys(schemes, requireEncryptionKey(d.encryptionKey));
    const expiresAt = new Date(now.getTime() + graceHours * 3600_000);
    await d.db.$transaction([
      d.db.webhookSecret.updateMany({
        where: { subscriptionId: id, OR: [{ expiresAt: null }, { expiresAt: { gt: expiresAt } }] },
        data: { expiresAt },
      }),
      d.db.webhookSecret.createMany({ data: keys.rows.map((r) => ({ ...r, subscriptionId: id })) }),
    ]);
    await d.delivery.subscriptions.reload();
    await audit(req, {
      action: 'webhook.rotate_secret',
      targetType: 'webhook_subscription',
      targetId: id,
      details: { graceHours, schemes },
    });
    return { secret: keys.secret, publicKey: keys.publicKey, previousExpiresAt: expiresAt.toISOString() };
  });

  app.post('/relay/webhooks/:id/test', { preHandler: d.auth }, async (req) => {
    const { id } = parse(idParams, req.params);
    const { type } = parse(TestQuery, req.query);
    await findVisible(d, accessOf(req), id);
    if (!type) {
      const deliveryId = wake(await sendTest(d.pool, d.events, id));
      await audit(req, { action: 'webhook.send_test', targetType: 'webhook_subscription', targetId: id });
      const row = await d.db.delivery.findUnique({
        where: { id: BigInt(deliveryId) },
        include: { event: true },
      });
      return { type: 'relay.test', webhookId: row?.event.id ?? '', deliveryId, result: null };
    }
    const sent = await d.delivery.sendExample(id, type);
    const r = sent.result;
    await audit(req, {
      action: 'webhook.send_test',
      targetType: 'webhook_subscription',
      targetId: id,
      details: { type, statusCode: r.statusCode, error: r.error },
    });
    return {
      type,
      webhookId: sent.webhookId,
      deliveryId: null,
      result: {
        statusCode: r.statusCode,
        durationMs: Math.round(r.durationMs * 10) / 10,
        responseExcerpt: r.excerpt,
        error: r.error,
        ok: r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300,
      },
    };
  });
}
