import { z } from 'zod';
import { allowListOf, checkAddress, formatCidr, parseCidr } from './ip-ranges.js';
import { EVENT_TYPES } from './model.js';
import { DELIVERY_ORDERINGS } from './order-key.js';

/**
 * The fields of a webhook subscription as clients send them, validated in one place for every
 * surface that writes them (the admin JSON API, the worker's `/relay/webhooks` API). Callers use
 * {@link parseSubscriptionCreate} / {@link parseSubscriptionPatch}, which never throw: a bad body
 * comes back as a list of `path: message` issues for a 400, so the callers' own zod copies
 * (bundled separately) need not recognise this module's error class.
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

/** Why a header name cannot be used, or null when it can. */
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
function headerMap<V extends z.ZodType>(value: V, max: number) {
  return z.record(z.string(), z.unknown()).transform((h, ctx) => {
    const out: Record<string, z.output<V>> = {};
    Object.entries(h).forEach(([raw, v], i) => {
      const name = raw.trim().toLowerCase();
      const problem = headerNameProblem(name) ?? (name in out ? `${name} is given twice` : null);
      if (problem) {
        ctx.addIssue({ code: 'custom', path: [`#${i + 1}`], message: problem.replace(/[^\x20-\x7e]/g, '?') });
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

const phoneLike = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[0-9A-Za-z+*#._-]+$/, 'only digits, letters and + * # . _ -');

const list = <T extends z.ZodType>(item: T) => z.array(item).max(SUBSCRIPTION_LIMITS.listItems);

/** An exact event type, `*`, or a `prefix.*` wildcard that matches at least one type. */
const eventTypePattern = z
  .string()
  .trim()
  .max(64)
  .refine(
    (p) =>
      p === '*' ||
      (EVENT_TYPES as readonly string[]).includes(p) ||
      (p.endsWith('.*') && EVENT_TYPES.some((t) => t.startsWith(p.slice(0, -1)))),
    { error: (i) => `unknown event type ${JSON.stringify(i.input)}` },
  );

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

const fields = {
  name: z.string().trim().min(1, 'is required').max(100),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2000)
    .refine((u) => !/^https?:\/\/[^/?#]*@/i.test(u), 'must not carry credentials; send them as a header'),
  description: z.string().trim().max(500),
  /** Empty = every call and CDR event; opt-in types (`relay.*`, `subscription.*`) only when named. */
  eventTypes: list(eventTypePattern),
  extensions: list(phoneLike),
  dids: list(phoneLike),
  queues: list(phoneLike),
  ordering: z.enum(DELIVERY_ORDERINGS, { error: 'must be per-call or none' }),
  timeoutMs: z
    .number()
    .int()
    .min(SUBSCRIPTION_LIMITS.timeoutMs.min)
    .max(SUBSCRIPTION_LIMITS.timeoutMs.max)
    .nullable(),
  maxConcurrency: z
    .number()
    .int()
    .min(SUBSCRIPTION_LIMITS.maxConcurrency.min)
    .max(SUBSCRIPTION_LIMITS.maxConcurrency.max),
  rateLimitPerSecond: z
    .number()
    .min(SUBSCRIPTION_LIMITS.rateLimitPerSecond.min)
    .max(SUBSCRIPTION_LIMITS.rateLimitPerSecond.max)
    .nullable(),
  allowedCidrs: z
    .array(cidr)
    .max(SUBSCRIPTION_LIMITS.allowedCidrs)
    .transform((l) => [...new Set(l)]),
};

/** Which Standard Webhooks signatures a new subscription signs with. */
export const SIGNING_CHOICES = ['hmac', 'ed25519', 'both'] as const;
export type SigningChoice = (typeof SIGNING_CHOICES)[number];

/** A new subscription. Absent optional fields take the defaults shown. */
export const subscriptionCreateSchema = z.object({
  ...fields,
  description: fields.description.default(''),
  eventTypes: fields.eventTypes.default([]),
  extensions: fields.extensions.default([]),
  dids: fields.dids.default([]),
  queues: fields.queues.default([]),
  /** Default `per-call`. */
  ordering: fields.ordering.default('per-call'),
  /** Null = the relay's `DELIVERY_TIMEOUT_MS` (default 15 s). */
  timeoutMs: fields.timeoutMs.default(null),
  /** Default 8. */
  maxConcurrency: fields.maxConcurrency.default(8),
  /** Null = no limit. */
  rateLimitPerSecond: fields.rateLimitPerSecond.default(null),
  /** Private ranges the URL may resolve to; empty = public addresses only. */
  allowedCidrs: fields.allowedCidrs.default([]),
  /** Extra request headers (names lower-cased); values are stored encrypted and never shown again. */
  headers: headerMap(headerValue, SUBSCRIPTION_LIMITS.headers).default({}),
  signing: z.enum(SIGNING_CHOICES, { error: 'must be hmac, ed25519 or both' }).default('hmac'),
});
export type SubscriptionCreate = z.infer<typeof subscriptionCreateSchema>;

/**
 * A change: any subset of the fields (absent = unchanged) and `enabled`. `headers` maps a name
 * to a new value or to null (remove it); names not listed keep their stored value.
 */
export const subscriptionPatchSchema = z
  .object(fields)
  .partial()
  .extend({
    enabled: z.boolean().optional(),
    headers: headerMap(headerValue.nullable(), SUBSCRIPTION_LIMITS.headers * 2).optional(),
  });
export type SubscriptionPatch = z.infer<typeof subscriptionPatchSchema>;

/** One problem with a body: the field path (`headers.x-api-key`) and what is wrong. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A parse outcome: the value, or the issues and one readable line of them all. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[]; message: string };

function failure<T>(issues: FieldIssue[]): ParseResult<T> {
  return { ok: false, issues, message: issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ') };
}

function fromZod<T>(r: z.ZodSafeParseResult<T>): ParseResult<T> {
  if (r.success) return { ok: true, value: r.data };
  return failure(r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
}

const LOCAL_NAME = /(^localhost$|\.localhost$|\.local$|\.internal$|\.lan$|\.home\.arpa$|^[^.]+$)/;

/**
 * Whether `url` may be a subscription's target with these allowed CIDRs; null when it may, else
 * why not. An IP literal must be public or inside an allowed CIDR (cloud metadata and 0.0.0.0
 * never); `localhost` needs 127.0.0.1 or ::1 allowed; other local names (`*.local`,
 * `*.internal`, single labels) need at least one allowed CIDR. The worker checks the address it
 * actually dials again at every connection.
 */
export function checkSubscriptionTarget(url: string, allowedCidrs: readonly string[]): string | null {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return 'url: must be an http(s) URL';
  }
  const allow = allowListOf(allowedCidrs);
  if (parseCidr(host)) {
    const v = checkAddress(host, allow);
    if (v.allowed) return null;
    if (v.class === 'metadata' || v.class === 'unspecified')
      return `url: ${host} is a ${v.class} address and is never allowed`;
    return `url: ${host} is a ${v.class} address (local network); add a CIDR containing it to allowedCidrs`;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    if (checkAddress('127.0.0.1', allow).allowed || checkAddress('::1', allow).allowed) return null;
    return `url: ${host} is the loopback interface (local network); allow 127.0.0.0/8 or ::1 in allowedCidrs`;
  }
  if (LOCAL_NAME.test(host) && allowedCidrs.length === 0)
    return `url: ${host} is a local network name; list the CIDR it resolves to in allowedCidrs`;
  return null;
}

/** Validates a new subscription's body, including its URL against its allowed CIDRs. */
export function parseSubscriptionCreate(body: unknown): ParseResult<SubscriptionCreate> {
  const r = fromZod(subscriptionCreateSchema.safeParse(body));
  if (!r.ok) return r;
  const target = checkSubscriptionTarget(r.value.url, r.value.allowedCidrs);
  return target ? failure([{ path: 'url', message: target.slice('url: '.length) }]) : r;
}

/**
 * Validates a change against the stored subscription: the URL and allowed CIDRs that result
 * must still agree, and the headers that result must stay within the limit.
 */
export function parseSubscriptionPatch(
  body: unknown,
  current: { url: string; allowedCidrs: readonly string[]; headerNames: readonly string[] },
): ParseResult<SubscriptionPatch> {
  const r = fromZod(subscriptionPatchSchema.safeParse(body));
  if (!r.ok) return r;
  const p = r.value;
  if (p.url !== undefined || p.allowedCidrs !== undefined) {
    const target = checkSubscriptionTarget(p.url ?? current.url, p.allowedCidrs ?? current.allowedCidrs);
    if (target) return failure([{ path: 'url', message: target.slice('url: '.length) }]);
  }
  if (p.headers) {
    const names = new Set(current.headerNames);
    for (const [n, v] of Object.entries(p.headers)) {
      if (v === null) names.delete(n);
      else names.add(n);
    }
    if (names.size > SUBSCRIPTION_LIMITS.headers)
      return failure([{ path: 'headers', message: `at most ${SUBSCRIPTION_LIMITS.headers} headers` }]);
  }
  return r;
}
