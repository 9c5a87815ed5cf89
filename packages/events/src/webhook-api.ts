import { z } from 'zod';
import { eventTypeSchema } from './model.js';
import { isoDate } from './common.js';
import { DELIVERY_ORDERINGS } from './order-key.js';
import { SubscriptionSigning } from './subscription-rules.js';

/*
 * Answers of the worker's `/relay/webhooks` API. The worker serializes with these shapes, the
 * OpenAPI document and the client's types are generated from them.
 */

const uuid = z.uuid();

/** One signing key of a subscription: never the secret, only its scheme, dates and `whpk_`. */
export const signingKeyViewSchema = z.object({
  scheme: z.enum(['v1', 'v1a']),
  /** `whpk_…` ed25519 public key for `v1a`, null for HMAC. */
  publicKey: z.string().nullable(),
  createdAt: isoDate,
  /** End of a rotation's grace period; null while current. */
  expiresAt: isoDate.nullable(),
});

/** Who made a subscription: an admin user (panel) or an API key (`/relay/webhooks`). */
export const subscriptionCreatorSchema = z.object({
  kind: z.enum(['user', 'apiKey', 'unknown']),
  id: z.string().nullable(),
  /** The user's email, or the key's `name (rk_…)`. */
  label: z.string().nullable(),
});

/** A webhook subscription as the API shows it (no secret). */
export const subscriptionViewSchema = z.object({
  id: uuid,
  name: z.string(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()),
  extensions: z.array(z.string()),
  dids: z.array(z.string()),
  queues: z.array(z.string()),
  /** Department filter (3CX group names); empty = any. */
  departments: z.array(z.string()),
  /** `per-call`: the events of one call in event-log order; `none`: as they come. */
  ordering: z.enum(DELIVERY_ORDERINGS),
  /** Per-attempt timeout, ms; null = the relay's default. */
  timeoutMs: z.number().int().nullable(),
  maxConcurrency: z.number().int(),
  /** Deliveries per second at most; null = no limit. */
  rateLimitPerSecond: z.number().nullable(),
  /** Private CIDRs the URL may resolve to; empty = public addresses only. */
  allowedCidrs: z.array(z.string()),
  /** Names of the extra request headers (values are never shown). */
  headerNames: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  disabledAt: isoDate.nullable(),
  signing: SubscriptionSigning,
  keys: z.array(signingKeyViewSchema),
  consecutiveFailures: z.number().int(),
  failingSince: isoDate.nullable(),
  lastSuccessAt: isoDate.nullable(),
  lastFailureAt: isoDate.nullable(),
  createdBy: subscriptionCreatorSchema,
  createdAt: isoDate,
  updatedAt: isoDate,
});

/** A page of a list: `nextOffset` is null on the last page. */
function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    nextOffset: z.number().int().nullable(),
  });
}

export const subscriptionPageSchema = page(subscriptionViewSchema);

/** Answer of a create: the `whsec_` (HMAC) is shown here only, never again. */
export const createdSubscriptionSchema = z.object({
  subscription: subscriptionViewSchema,
  /** The new `whsec_…` HMAC secret; null for ed25519-only subscriptions. Shown once. */
  secret: z.string().nullable(),
  /** The new `whpk_…` public key; null without ed25519. Also on the subscription. */
  publicKey: z.string().nullable(),
});

/** Answer of a rotation: the new keys (the `whsec_` once) and when the old ones stop signing. */
export const rotatedSecretSchema = z.object({
  secret: z.string().nullable(),
  publicKey: z.string().nullable(),
  previousExpiresAt: isoDate,
});

/** One HTTP attempt of a delivery. */
export const deliveryAttemptViewSchema = z.object({
  attemptNo: z.number().int(),
  /** scheduled | manual | recover | test */
  trigger: z.string(),
  startedAt: isoDate,
  durationMs: z.number(),
  statusCode: z.number().int().nullable(),
  /** First 4 KB of the response body. */
  responseExcerpt: z.string().nullable(),
  error: z.string().nullable(),
  succeeded: z.boolean(),
});

/** One event to one subscription, with its attempts (oldest first). */
export const deliveryViewSchema = z.object({
  id: z.string().regex(/^\d+$/),
  eventId: z.string(),
  eventType: z.string(),
  eventSequence: z.string().regex(/^\d+$/),
  occurredAt: isoDate,
  status: z.enum(['pending', 'succeeded', 'failed', 'cancelled']),
  attemptCount: z.number().int(),
  nextAttemptAt: isoDate.nullable(),
  trigger: z.string(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: isoDate,
  completedAt: isoDate.nullable(),
  attempts: z.array(deliveryAttemptViewSchema),
});

export const deliveryPageSchema = page(deliveryViewSchema);

/** Answer of retry, retry-failed and recover: how many deliveries were queued. */
export const queuedDeliveriesSchema = z.object({ queued: z.number().int() });

/** How a direct test send ended. */
export const testSendResultSchema = z.object({
  statusCode: z.number().int().nullable(),
  durationMs: z.number(),
  responseExcerpt: z.string().nullable(),
  error: z.string().nullable(),
  /** True for a 2xx answer. */
  ok: z.boolean(),
});

/**
 * Answer of `POST /relay/webhooks/{id}/test`: without `type`, a `relay.test` event queued like
 * any delivery (`deliveryId`, see the delivery log); with `type`, that type's catalogue example
 * signed and sent at once (`result`), never stored as an event.
 */
export const testSendSchema = z.object({
  type: eventTypeSchema,
  webhookId: z.string(),
  deliveryId: z.string().nullable(),
  result: testSendResultSchema.nullable(),
});

export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;
export type DeliveryView = z.infer<typeof deliveryViewSchema>;
