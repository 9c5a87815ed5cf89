import { isIP } from 'node:net';
import type { Db } from '@3cx-relay/db';
import { z } from 'zod';
import { config } from '@/config';
import { AppError } from '@/lib/api/app-error';
import { eventsPackage } from '@/lib/workspace';
import { pageArgs, pageParam, toPage } from './paging';

const list = (item: z.ZodString) => z.array(item).max(200);
const phoneLike = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[0-9A-Za-z+*#._-]+$/, 'only digits, letters and + * # . _ -');

const fields = {
  name: z.string().trim().min(1, 'is required').max(100),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
  description: z.string().trim().max(500),
  eventTypes: list(z.string().trim().max(64)),
  extensions: list(phoneLike),
  dids: list(phoneLike),
  queues: list(phoneLike),
  allowLocalNetwork: z.boolean(),
};

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

/** Fields of a subscription as the create form sends them (lists default to empty = any). */
export const WebhookInput = z.object({
  ...fields,
  description: fields.description.default(''),
  eventTypes: fields.eventTypes.default([]),
  extensions: fields.extensions.default([]),
  dids: fields.dids.default([]),
  queues: fields.queues.default([]),
  allowLocalNetwork: fields.allowLocalNetwork.default(false),
  signing: Signing.default('hmac'),
});

/** PATCH body: any subset of the fields (no defaults: what is absent stays), plus enable/disable. */
export const WebhookPatch = z.object(fields).partial().extend({ enabled: z.boolean().optional() });

/** Hosts that only an explicit "allow local network" may target (SSRF guard, checked again by the worker at send time). */
function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal'))
    return true;
  if (isIP(h) === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (isIP(h) === 6)
    return (
      h === '::1' ||
      h === '::' ||
      h.startsWith('fc') ||
      h.startsWith('fd') ||
      h.startsWith('fe80') ||
      h.startsWith('::ffff:')
    );
  return false;
}

/** Checks event types against the event model and the URL against the local-network flag. */
export async function checkWebhook(
  input: { url?: string; eventTypes?: string[]; allowLocalNetwork?: boolean },
  current?: { url: string; allowLocalNetwork: boolean },
) {
  const { EVENT_TYPES } = await eventsPackage();
  const unknown = (input.eventTypes ?? []).filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length) throw new AppError('BAD_REQUEST', `eventTypes: unknown type ${unknown.join(', ')}`);
  const url = input.url ?? current?.url;
  const allow = input.allowLocalNetwork ?? current?.allowLocalNetwork ?? false;
  if (url && !allow && isLocalHost(new URL(url).hostname)) {
    throw new AppError(
      'BAD_REQUEST',
      'url: targets a local network address; tick "allow local network" to permit it',
    );
  }
}

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

/** A page of subscriptions (no secrets). */
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
