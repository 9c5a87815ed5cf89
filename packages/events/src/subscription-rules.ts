import { isIP } from 'node:net';
import { z } from 'zod';
import { EVENT_TYPES } from './model.js';
import { encryptSecret, generateWebhookKeyPair, generateWebhookSecret } from './secret-box.js';

/*
 * The rules of a webhook subscription, shared by every way to make one: the admin panel's
 * JSON API (browser session) and the worker's `/relay/webhooks` (API key). Field limits,
 * defaults, event-type and target checks, and signing-key generation live here once.
 */

const list = (item: z.ZodString) => z.array(item).max(200);
const phoneLike = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[0-9A-Za-z+*#._-]+$/, 'only digits, letters and + * # . _ -');

/** Editable fields of a subscription, without defaults. */
export const subscriptionFields = {
  name: z.string().trim().min(1, 'is required').max(100),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
  description: z.string().trim().max(500),
  /** Event types or patterns (`call.*`, `*`); empty = every call and CDR event. */
  eventTypes: list(z.string().trim().min(1).max(64)),
  /** Extension DNs; empty = no filter. */
  extensions: list(phoneLike),
  dids: list(phoneLike),
  queues: list(phoneLike),
  /** 3CX departments (cdroutput group names, e.g. `Sales`, `__DEFAULT__`); only CDR events carry them. */
  departments: list(z.string().trim().min(1).max(100)),
  /** Allows loopback/private targets (on-premise CRMs); cloud metadata stays refused. */
  allowLocalNetwork: z.boolean(),
};

/**
 * Which Standard Webhooks signatures a subscription's deliveries carry: HMAC-SHA256 (`v1,`,
 * a `whsec_` secret shared with the receiver), ed25519 (`v1a,`, the receiver holds only the
 * `whpk_` public key), or both.
 */
export const SubscriptionSigning = z.enum(['hmac', 'ed25519', 'both'], {
  error: 'must be hmac, ed25519 or both',
});
export type SubscriptionSigning = z.infer<typeof SubscriptionSigning>;

/** A stored key's scheme (`webhook_secrets.scheme`). */
export type SignatureScheme = 'v1' | 'v1a';

/** The schemes each choice signs with, HMAC first. */
export const SIGNING_SCHEMES: Record<SubscriptionSigning, SignatureScheme[]> = {
  hmac: ['v1'],
  ed25519: ['v1a'],
  both: ['v1', 'v1a'],
};

/** A new subscription (lists default to empty = any, signing to HMAC). */
export const SubscriptionInput = z.object({
  ...subscriptionFields,
  description: subscriptionFields.description.default(''),
  eventTypes: subscriptionFields.eventTypes.default([]),
  extensions: subscriptionFields.extensions.default([]),
  dids: subscriptionFields.dids.default([]),
  queues: subscriptionFields.queues.default([]),
  departments: subscriptionFields.departments.default([]),
  allowLocalNetwork: subscriptionFields.allowLocalNetwork.default(false),
  signing: SubscriptionSigning.default('hmac'),
});
export type SubscriptionInput = z.infer<typeof SubscriptionInput>;

/** An edit: any subset of the fields (what is absent stays), plus enable/disable. */
export const SubscriptionPatch = z
  .object(subscriptionFields)
  .partial()
  .extend({ enabled: z.boolean().optional() });
export type SubscriptionPatch = z.infer<typeof SubscriptionPatch>;

/** Body of a secret rotation: grace period of the old keys (default 24 h), optional scheme switch. */
export const SecretRotation = z.object({
  graceHours: z
    .number()
    .min(0)
    .max(24 * 7)
    .default(24),
  signing: SubscriptionSigning.optional(),
});

/** A broken rule, with the field it concerns; both APIs answer it with 400. */
export class SubscriptionRuleError extends Error {
  override name = 'SubscriptionRuleError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Whether a type pattern names at least one event type (`call.ringing`, `call.*`, `*`). */
export function isKnownTypePattern(pattern: string): boolean {
  const types = EVENT_TYPES as readonly string[];
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return types.some((t) => t.startsWith(pattern.slice(0, -1)));
  return types.includes(pattern);
}

/**
 * Hosts that only an explicit "allow local network" may target: names that are local by
 * convention and IP literals in loopback, private, link-local, CGNAT and unspecified ranges.
 * A first line of defence at save time; the worker checks the dialled address again at send time.
 */
export function isLocalNetworkHost(host: string): boolean {
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

/**
 * Checks what zod cannot: every event type names a known type, and the URL (new or kept)
 * is not a local-network target unless the subscription (as it will be) allows it.
 * Throws {@link SubscriptionRuleError}.
 */
export function checkSubscriptionRules(
  input: {
    url?: string | undefined;
    eventTypes?: string[] | undefined;
    allowLocalNetwork?: boolean | undefined;
  },
  current?: { url: string; allowLocalNetwork: boolean },
): void {
  const unknown = (input.eventTypes ?? []).filter((t) => !isKnownTypePattern(t));
  if (unknown.length) throw new SubscriptionRuleError('eventTypes', `unknown type ${unknown.join(', ')}`);
  const url = input.url ?? current?.url;
  const allow = input.allowLocalNetwork ?? current?.allowLocalNetwork ?? false;
  if (url && !allow && isLocalNetworkHost(new URL(url).hostname)) {
    throw new SubscriptionRuleError(
      'url',
      'targets a local network address; allow the local network (allowLocalNetwork) to permit it',
    );
  }
}

/** Fresh signing keys and what may be shown of them. */
export interface NewSigningKeys {
  /** `webhook_secrets` rows: the `whsec_`/`whsk_` encrypted, the `whpk_` in clear. */
  rows: { scheme: SignatureScheme; ciphertext: string; publicKey: string | null; keyId: string }[];
  /** The new `whsec_`, for its one-time reveal; null without HMAC. */
  secret: string | null;
  /** The new `whpk_` (not secret); null without ed25519. The `whsk_` never leaves this function. */
  publicKey: string | null;
}

/** One new key per scheme, encrypted with `encryptionKey` (32 bytes, `RELAY_ENCRYPTION_KEY`). */
export function newSigningKeys(schemes: readonly SignatureScheme[], encryptionKey: Buffer): NewSigningKeys {
  const out: NewSigningKeys = { rows: [], secret: null, publicKey: null };
  for (const scheme of new Set(schemes)) {
    if (scheme === 'v1') {
      out.secret = generateWebhookSecret();
      out.rows.push({
        scheme,
        ciphertext: encryptSecret(out.secret, encryptionKey),
        publicKey: null,
        keyId: 'k1',
      });
    } else {
      const pair = generateWebhookKeyPair();
      out.publicKey = pair.publicKey;
      out.rows.push({
        scheme,
        ciphertext: encryptSecret(pair.secret, encryptionKey),
        publicKey: pair.publicKey,
        keyId: 'k1',
      });
    }
  }
  return out;
}

/** The schemes of the keys a subscription still signs with; HMAC when none is left. */
export function schemesOf(activeKeySchemes: Iterable<string>): SignatureScheme[] {
  const used = new Set(activeKeySchemes);
  const schemes = (['v1', 'v1a'] as const).filter((s) => used.has(s));
  return schemes.length ? schemes : ['v1'];
}

/** A zod failure as one line per field (`url: must be an http(s) URL; name: is required`). */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}
