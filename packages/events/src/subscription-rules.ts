import { z } from 'zod';
import { allowListOf, checkAddress, formatCidr, parseCidr } from './ip-ranges.js';
import { EVENT_TYPES } from './model.js';
import { DELIVERY_ORDERINGS } from './order-key.js';
import { encryptSecret, generateWebhookKeyPair, generateWebhookSecret } from './secret-box.js';

/*
 * The rules of a webhook subscription, shared by every way to make one: the admin panel's
 * JSON API (browser session) and the worker's `/relay/webhooks` (API key). Field limits,
 * defaults, event-type and target checks, endpoint options, extra headers and signing-key
 * generation live here once.
 */

/** Bounds of the subscription fields (documented in the admin README). */
export const SUBSCRIPTION_LIMITS = {
  listItems: 200,
  headers: 20,
  headerNameLength: 64,
  headerValueLength: 2048,
  allowedCidrs: 50,
  /** Per-attempt timeout, ms. */
  timeoutMs: { min: 1000, max: 60_000 },
  /** Requests in flight to the endpoint at once. */
  maxConcurrency: { min: 1, max: 64 },
  /** Deliveries per second. */
  rateLimitPerSecond: { min: 0.1, max: 10_000 },
} as const;

/** Header names a subscription may not set: the relay's own, hop-by-hop and framing headers. */
const RESERVED_HEADER =
  /^(webhook-.*|relay-.*|traceparent|tracestate|content-.*|host|connection|keep-alive|transfer-encoding|te|trailer|upgrade|expect|proxy-.*|user-agent)$/;

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** Why a (lower-cased) header name cannot be used, or null when it can. */
function headerNameProblem(name: string): string | null {
  if (name.length === 0) return 'header name is empty';
  if (name.length > SUBSCRIPTION_LIMITS.headerNameLength)
    return `header name is longer than ${SUBSCRIPTION_LIMITS.headerNameLength} characters`;
  if (!TOKEN.test(name)) return "header name may hold only letters, digits and !#$%&'*+.^_`|~-";
  if (RESERVED_HEADER.test(name)) return `${name} is set by the relay and cannot be overridden`;
  return null;
}

const headerValue = z
  .string()
  .trim()
  .min(1, 'header value is empty')
  .max(SUBSCRIPTION_LIMITS.headerValueLength)
  .regex(/^[\x20-\x7e\t]*$/, 'header value may hold only printable ASCII (no line breaks)');

/**
 * `{name: value}` with names lower-cased (HTTP names are case-insensitive) and checked one by
 * one; a bad name is reported by its position, so hostile text never becomes part of a path.
 */
function headerMap<V extends z.ZodType>(value: V, nullable: boolean, max: number) {
  const base = z.record(z.string(), nullable ? z.string().nullable() : z.string());
  return base.transform((h, ctx) => {
    const out: Record<string, z.output<V>> = {};
    Object.entries(h).forEach(([raw, v], i) => {
      const name = raw.trim().toLowerCase();
      const problem = headerNameProblem(name) ?? (name in out ? `${name} is given twice` : null);
      if (problem) {
        ctx.addIssue({ code: 'custom', path: [`#${i + 1}`], message: problem.replace(/[^\x20-\x7e]/g, '?') });
        return;
      }
      if (v === null) {
        out[name] = null as z.output<V>; // an edit's removal
        return;
      }
      const parsed = value.safeParse(v);
      if (parsed.success) out[name] = parsed.data;
      else
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', path: [name], message: issue.message });
    });
    if (Object.keys(out).length > max) ctx.addIssue({ code: 'custom', message: `at most ${max} headers` });
    return out;
  });
}

const cidr = z
  .string()
  .trim()
  .max(64)
  .transform((text, ctx) => {
    const c = parseCidr(text);
    if (!c) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not an IP address or CIDR block` });
      return z.NEVER;
    }
    return formatCidr(c);
  });

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
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2000)
    .refine((u) => !/^https?:\/\/[^/?#]*@/i.test(u), 'must not carry credentials (send them as a header)'),
  description: z.string().trim().max(500),
  /** Event types or patterns (`call.*`, `*`); empty = every call and CDR event. */
  eventTypes: list(z.string().trim().min(1).max(64)),
  /** Extension DNs; empty = no filter. */
  extensions: list(phoneLike),
  dids: list(phoneLike),
  queues: list(phoneLike),
  /** 3CX departments (cdroutput group names, e.g. `Sales`, `__DEFAULT__`); only CDR events carry them. */
  departments: list(z.string().trim().min(1).max(100)),
  /**
   * `per-call`: the events of one call arrive one at a time in event-log order (a retry holds
   * back only that call); `none`: as they come.
   */
  ordering: z.enum(DELIVERY_ORDERINGS, { error: 'must be per-call or none' }),
  /** Per-attempt timeout in ms (bounds connect, headers and body); null = the relay's `DELIVERY_TIMEOUT_MS`. */
  timeoutMs: z
    .number()
    .int()
    .min(SUBSCRIPTION_LIMITS.timeoutMs.min)
    .max(SUBSCRIPTION_LIMITS.timeoutMs.max)
    .nullable(),
  /** Requests in flight to the endpoint at once. */
  maxConcurrency: z
    .number()
    .int()
    .min(SUBSCRIPTION_LIMITS.maxConcurrency.min)
    .max(SUBSCRIPTION_LIMITS.maxConcurrency.max),
  /** Deliveries per second at most; null = no limit. */
  rateLimitPerSecond: z
    .number()
    .min(SUBSCRIPTION_LIMITS.rateLimitPerSecond.min)
    .max(SUBSCRIPTION_LIMITS.rateLimitPerSecond.max)
    .nullable(),
  /**
   * Private ranges the URL may resolve to (on-premise CRMs), as CIDRs or addresses, stored
   * canonical (`192.168.1.20/32`); empty = public addresses only. Cloud metadata and
   * `0.0.0.0`/`::` stay refused whatever the list says.
   */
  allowedCidrs: z
    .array(cidr)
    .max(SUBSCRIPTION_LIMITS.allowedCidrs)
    .transform((l) => [...new Set(l)]),
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
  ordering: subscriptionFields.ordering.default('per-call'),
  timeoutMs: subscriptionFields.timeoutMs.default(null),
  maxConcurrency: subscriptionFields.maxConcurrency.default(8),
  rateLimitPerSecond: subscriptionFields.rateLimitPerSecond.default(null),
  allowedCidrs: subscriptionFields.allowedCidrs.default([]),
  /** Extra request headers, e.g. the CRM's own `authorization`; values are stored encrypted and never shown again. */
  headers: headerMap(headerValue, false, SUBSCRIPTION_LIMITS.headers).default({}),
  signing: SubscriptionSigning.default('hmac'),
});
export type SubscriptionInput = z.infer<typeof SubscriptionInput>;

/**
 * An edit: any subset of the fields (what is absent stays), plus enable/disable. `headers` maps
 * names to a new value or to null (remove it); names not listed keep their stored value.
 */
export const SubscriptionPatch = z
  .object(subscriptionFields)
  .partial()
  .extend({
    enabled: z.boolean().optional(),
    headers: headerMap(headerValue, true, SUBSCRIPTION_LIMITS.headers * 2).optional(),
  });
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

/** Whether a type pattern names at least one event type (`call.ringing`, `call.*`, `*`; opt-in `relay.*`, `subscription.*`). */
export function isKnownTypePattern(pattern: string): boolean {
  const types = EVENT_TYPES as readonly string[];
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return types.some((t) => t.startsWith(pattern.slice(0, -1)));
  return types.includes(pattern);
}

const LOCAL_NAME = /(^localhost$|\.localhost$|\.local$|\.internal$|\.lan$|\.home\.arpa$|^[^.]+$)/;

/**
 * Whether `url` may be a subscription's target with these allowed CIDRs; null when it may, else
 * why not. An IP literal must be public or inside an allowed CIDR (cloud metadata and 0.0.0.0
 * never); `localhost` needs 127.0.0.1 or ::1 allowed; other local names (`*.local`,
 * `*.internal`, single labels) need at least one allowed CIDR. A first line of defence at save
 * time: the worker checks the address it actually dials at every connection.
 */
export function checkSubscriptionTarget(url: string, allowedCidrs: readonly string[]): string | null {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return 'must be an http(s) URL';
  }
  const allow = allowListOf(allowedCidrs);
  if (parseCidr(host)) {
    const v = checkAddress(host, allow);
    if (v.allowed) return null;
    if (v.class === 'metadata' || v.class === 'unspecified')
      return `${host} is a ${v.class} address and is never allowed`;
    return `${host} is a ${v.class} address (local network); add a CIDR containing it to allowedCidrs`;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    if (checkAddress('127.0.0.1', allow).allowed || checkAddress('::1', allow).allowed) return null;
    return `${host} is the loopback interface (local network); allow 127.0.0.0/8 or ::1 in allowedCidrs`;
  }
  if (LOCAL_NAME.test(host) && allowedCidrs.length === 0)
    return `${host} is a local network name; list the CIDR it resolves to in allowedCidrs`;
  return null;
}

/**
 * Checks what the field schemas cannot: every event type names a known type, the URL and the
 * allowed CIDRs that result (new values over the stored ones) agree, and an edit leaves at most
 * the allowed number of headers. Throws {@link SubscriptionRuleError}.
 */
export function checkSubscriptionRules(
  input: {
    url?: string | undefined;
    eventTypes?: string[] | undefined;
    allowedCidrs?: readonly string[] | undefined;
    headers?: Record<string, string | null> | undefined;
  },
  current?: { url: string; allowedCidrs: readonly string[] | null; headerNames?: readonly string[] },
): void {
  const unknown = (input.eventTypes ?? []).filter((t) => !isKnownTypePattern(t));
  if (unknown.length) throw new SubscriptionRuleError('eventTypes', `unknown type ${unknown.join(', ')}`);
  const url = input.url ?? current?.url;
  if (url && (input.url !== undefined || input.allowedCidrs !== undefined)) {
    const problem = checkSubscriptionTarget(url, input.allowedCidrs ?? current?.allowedCidrs ?? []);
    if (problem) throw new SubscriptionRuleError('url', problem);
  }
  if (input.headers && current) {
    const names = new Set(current.headerNames ?? []);
    for (const [n, v] of Object.entries(input.headers)) {
      if (v === null) names.delete(n);
      else names.add(n);
    }
    if (names.size > SUBSCRIPTION_LIMITS.headers)
      throw new SubscriptionRuleError('headers', `at most ${SUBSCRIPTION_LIMITS.headers} headers`);
  }
}

/** `webhook_headers` rows for header values, encrypted with `encryptionKey` like signing secrets. */
export function encryptHeaders(
  headers: Record<string, string>,
  encryptionKey: Buffer,
): { name: string; valueCiphertext: string; keyId: string }[] {
  return Object.entries(headers).map(([name, value]) => ({
    name,
    valueCiphertext: encryptSecret(value, encryptionKey),
    keyId: 'k1',
  }));
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
