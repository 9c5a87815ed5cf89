import type { Db } from '@3cx-relay/db';
import { z } from 'zod';
import { config } from '@/config';
import { AppError } from '@/lib/api/app-error';
import { eventsPackage } from '@/lib/workspace';
import { pageArgs, pageParam, toPage } from './paging';

/**
 * Which Standard Webhooks signatures a subscription's deliveries carry: HMAC-SHA256 (`v1,`,
 * a `whsec_` secret shared with the receiver), ed25519 (`v1a,`, the receiver holds only the
 * `whpk_` public key), or both.
 */
export const Signing = z.enum(['hmac', 'ed25519', 'both'], { error: 'must be hmac, ed25519 or both' });
export type Signing = z.infer<typeof Signing>;

/** A stored key's scheme (`webhook_secrets.scheme`). */
export type SignatureScheme = 'v1' | 'v1a';

/** The schemes each choice signs with, HMAC first. */
export const SIGNING_SCHEMES: Record<Signing, SignatureScheme[]> = {
  hmac: ['v1'],
  ed25519: ['v1a'],
  both: ['v1', 'v1a'],
};

/**
 * A create body, checked by the validation shared with the worker's API
 * (`@3cx-relay/events` `parseSubscriptionCreate`): 400 naming every bad field.
 */
export async function readSubscriptionCreate(raw: unknown) {
  const { parseSubscriptionCreate } = await eventsPackage();
  const r = parseSubscriptionCreate(raw);
  if (!r.ok) throw new AppError('BAD_REQUEST', r.message);
  return r.value;
}

/** A PATCH body, checked against the stored subscription (URL and allowed CIDRs must still agree). */
export async function readSubscriptionPatch(
  raw: unknown,
  current: { url: string; allowedCidrs: string[] | null; headerNames: string[] },
) {
  const { parseSubscriptionPatch } = await eventsPackage();
  const r = parseSubscriptionPatch(raw, { ...current, allowedCidrs: current.allowedCidrs ?? [] });
  if (!r.ok) throw new AppError('BAD_REQUEST', r.message);
  return r.value;
}

/** `webhook_headers` rows for the given values, encrypted like signing secrets. */
export async function encryptHeaders(headers: Record<string, string>) {
  const { encryptSecret } = await eventsPackage();
  const key = config().encryptionKey;
  return Object.entries(headers).map(([name, value]) => ({
    name,
    valueCiphertext: encryptSecret(value, key),
    keyId: 'k1',
  }));
}

/** Applies a PATCH's `headers`: a value replaces (encrypted), null removes, names not listed stay. */
export async function applyHeaderChanges(
  db: Db,
  subscriptionId: string,
  changes: Record<string, string | null>,
) {
  const set = Object.fromEntries(Object.entries(changes).filter((e): e is [string, string] => e[1] !== null));
  const removed = Object.keys(changes).filter((n) => changes[n] === null);
  const rows = await encryptHeaders(set);
  await db.$transaction([
    db.webhookHeader.deleteMany({
      where: { subscriptionId, name: { in: [...removed, ...Object.keys(set)] } },
    }),
    db.webhookHeader.createMany({ data: rows.map((r) => ({ ...r, subscriptionId })) }),
  ]);
}

/** What a subscription shows of its headers: names and dates, never values. */
export const HEADER_NAMES = { select: { name: true, updatedAt: true }, orderBy: { name: 'asc' as const } };

/** Fresh signing keys and what the admin may show of them. */
export interface NewSigningKeys {
  /** `webhook_secrets` rows: the `whsec_`/`whsk_` encrypted, the `whpk_` in clear. */
  rows: { scheme: SignatureScheme; ciphertext: string; publicKey: string | null; keyId: string }[];
  /** The new `whsec_`, for its one-time reveal; null without HMAC. */
  secret: string | null;
  /** The new `whpk_` (not secret); null without ed25519. The `whsk_` never leaves this function. */
  publicKey: string | null;
}

/** One new key per scheme, encrypted with the configured key. */
export async function newSigningKeys(schemes: readonly SignatureScheme[]): Promise<NewSigningKeys> {
  const { generateWebhookSecret, generateWebhookKeyPair, encryptSecret } = await eventsPackage();
  const key = config().encryptionKey;
  const out: NewSigningKeys = { rows: [], secret: null, publicKey: null };
  for (const scheme of new Set(schemes)) {
    if (scheme === 'v1') {
      out.secret = generateWebhookSecret();
      out.rows.push({ scheme, ciphertext: encryptSecret(out.secret, key), publicKey: null, keyId: 'k1' });
    } else {
      const pair = generateWebhookKeyPair();
      out.publicKey = pair.publicKey;
      out.rows.push({
        scheme,
        ciphertext: encryptSecret(pair.secret, key),
        publicKey: pair.publicKey,
        keyId: 'k1',
      });
    }
  }
  return out;
}

/** The schemes a subscription signs with now (keys not yet expired); HMAC when it has none left. */
export async function schemesInUse(db: Db, subscriptionId: string, now = new Date()) {
  const rows = await db.webhookSecret.findMany({
    where: { subscriptionId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { scheme: true },
    distinct: ['scheme'],
  });
  const used = new Set(rows.map((r) => r.scheme));
  const schemes = (['v1', 'v1a'] as const).filter((s) => used.has(s));
  return schemes.length ? schemes : (['v1'] as SignatureScheme[]);
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
    db.webhookSubscription.findMany({ where, orderBy: { createdAt: 'desc' }, ...pageArgs(f.page) }),
    db.webhookSubscription.count({ where }),
  ]);
  return toPage(rows, total, f.page);
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
