import type { Db } from '@3cx-relay/db';
import { z } from 'zod';
import { config } from '@/config';
import { AppError } from '@/lib/api/app-error';
import { eventsPackage } from '@/lib/workspace';
import { pageArgs, pageParam, toPage } from './paging';

/**
 * The subscription rules (fields, defaults, endpoint options, event-type and private-network
 * checks, header encryption, key generation) are shared with the worker's `/relay/webhooks`
 * API: `subscription-rules.ts` in `@3cx-relay/events`, loaded here at run time (see
 * `@/lib/workspace`).
 */
export async function subscriptionRules() {
  const events = await eventsPackage();
  return {
    SubscriptionInput: events.SubscriptionInput,
    SubscriptionPatch: events.SubscriptionPatch,
    SecretRotation: events.SecretRotation,
    SIGNING_SCHEMES: events.SIGNING_SCHEMES,
    /** Throws a 400 when the event types or the target break a rule. */
    check(...args: Parameters<typeof events.checkSubscriptionRules>) {
      try {
        events.checkSubscriptionRules(...args);
      } catch (err) {
        if (err instanceof events.SubscriptionRuleError) throw new AppError('BAD_REQUEST', err.message);
        throw err;
      }
    },
    /** One new key per scheme, encrypted with the configured key. */
    newSigningKeys: (schemes: Parameters<typeof events.newSigningKeys>[0]) =>
      events.newSigningKeys(schemes, config().encryptionKey),
    /** `webhook_headers` rows for header values, encrypted with the configured key. */
    encryptHeaders: (headers: Record<string, string>) =>
      events.encryptHeaders(headers, config().encryptionKey),
  };
}

/**
 * Applies an edit's `headers`: a value replaces (encrypted), null removes, names not listed stay;
 * in one transaction.
 */
export async function applyHeaderChanges(
  db: Db,
  subscriptionId: string,
  changes: Record<string, string | null>,
) {
  const { encryptHeaders } = await subscriptionRules();
  const set = Object.fromEntries(Object.entries(changes).filter((e): e is [string, string] => e[1] !== null));
  await db.$transaction([
    db.webhookHeader.deleteMany({ where: { subscriptionId, name: { in: Object.keys(changes) } } }),
    db.webhookHeader.createMany({ data: encryptHeaders(set).map((r) => ({ ...r, subscriptionId })) }),
  ]);
}

/** What a subscription shows of its headers: names and dates, never values. */
export const HEADER_NAMES = { select: { name: true, updatedAt: true }, orderBy: { name: 'asc' as const } };

/** The schemes a subscription signs with now (keys not yet expired); HMAC when it has none left. */
export async function schemesInUse(db: Db, subscriptionId: string, now = new Date()) {
  const rows = await db.webhookSecret.findMany({
    where: { subscriptionId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { scheme: true },
    distinct: ['scheme'],
  });
  return (await eventsPackage()).schemesOf(rows.map((r) => r.scheme));
}

/** Filters of the subscription list. */
export const WebhookFilter = z.object({
  page: pageParam,
  q: z.string().trim().max(100).optional().catch(undefined),
});

/** A page of subscriptions (no secrets, no header values). */
export async function listWebhooks(db: Db, f: z.infer<typeof WebhookFilter>) {
  const where = f.q
    ? {
        OR: [
          { name: { contains: f.q, mode: 'insensitive' as const } },
          { url: { contains: f.q, mode: 'insensitive' as const } },
        ],
      }
    : {};
  const [rows, total] = await Promise.all([
    db.webhookSubscription.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      include: { createdByApiKey: { select: { name: true, prefix: true } } },
      ...pageArgs(f.page),
    }),
    db.webhookSubscription.count({ where }),
  ]);
  return toPage(rows, total, f.page);
}

/** Who made a subscription: an API key (`/relay/webhooks`) or a panel user. */
export function madeBy(s: {
  createdByApiKey?: { name: string; prefix: string } | null;
  createdBy?: { email: string } | null;
}): string {
  if (s.createdByApiKey) return `API key ${s.createdByApiKey.name} (${s.createdByApiKey.prefix})`;
  return s.createdBy?.email ?? 'admin panel';
}

/** Filters of a subscription's delivery log. */
export const DeliveryFilter = z.object({
  page: pageParam,
  status: z.enum(['pending', 'succeeded', 'failed', 'cancelled']).optional().catch(undefined),
});

/** A page of deliveries of one subscription with their attempts, newest first. */
export async function listDeliveries(db: Db, subscriptionId: string, f: z.infer<typeof DeliveryFilter>) {
  const where = { subscriptionId, ...(f.status ? { status: f.status } : {}) };
  const [rows, total] = await Promise.all([
    db.delivery.findMany({
      where,
      orderBy: { id: 'desc' },
      include: {
        event: { select: { id: true, type: true, occurredAt: true } },
        attempts: { orderBy: { attemptNo: 'asc' } },
      },
      ...pageArgs(f.page),
    }),
    db.delivery.count({ where }),
  ]);
  return toPage(rows, total, f.page);
}
