import type { Prisma } from '@3cx-relay/db';
import type { DeliveryView, SubscriptionView } from '@3cx-relay/events';

/** A subscription row with what its view needs. */
export const SUBSCRIPTION_INCLUDE = {
  secrets: { select: { scheme: true, publicKey: true, createdAt: true, expiresAt: true } },
  createdBy: { select: { id: true, email: true } },
  createdByApiKey: { select: { id: true, name: true, prefix: true } },
  headers: { select: { name: true }, orderBy: { name: 'asc' } },
} as const;

/** What a delivery row brings for its view. */
export const DELIVERY_INCLUDE = {
  event: { select: { id: true, type: true, occurredAt: true } },
  attempts: { orderBy: { attemptNo: 'asc' } },
} as const;

type SubscriptionRow = Prisma.WebhookSubscriptionGetPayload<{ include: typeof SUBSCRIPTION_INCLUDE }>;
type DeliveryRow = Prisma.DeliveryGetPayload<{ include: typeof DELIVERY_INCLUDE }>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Which signatures the keys that still sign make. */
function signingOf(
  keys: { scheme: string; expiresAt: Date | null }[],
  now: number,
): SubscriptionView['signing'] {
  const live = new Set(keys.filter((k) => !k.expiresAt || k.expiresAt.getTime() > now).map((k) => k.scheme));
  return live.has('v1a') ? (live.has('v1') ? 'both' : 'ed25519') : 'hmac';
}

/** The API's view of a subscription: never a secret, only schemes, dates and public keys. */
export function subscriptionView(s: SubscriptionRow, now = Date.now()): SubscriptionView {
  const creator: SubscriptionView['createdBy'] = s.createdByApiKey
    ? {
        kind: 'apiKey',
        id: s.createdByApiKey.id,
        label: `${s.createdByApiKey.name} (${s.createdByApiKey.prefix})`,
      }
    : s.createdBy
      ? { kind: 'user', id: s.createdBy.id, label: s.createdBy.email }
      : { kind: 'unknown', id: null, label: null };
  return {
    id: s.id,
    name: s.name,
    url: s.url,
    description: s.description,
    eventTypes: s.eventTypes,
    extensions: s.extensions,
    dids: s.dids,
    queues: s.queues,
    departments: s.departments,
    ordering: s.ordering === 'none' ? 'none' : 'per-call',
    timeoutMs: s.timeoutMs,
    maxConcurrency: s.maxConcurrency,
    rateLimitPerSecond: s.rateLimitPerSecond,
    allowedCidrs: s.allowedCidrs ?? [],
    headerNames: s.headers.map((h) => h.name),
    enabled: s.enabled,
    disabledReason: s.disabledReason,
    disabledAt: iso(s.disabledAt),
    signing: signingOf(s.secrets, now),
    keys: s.secrets
      .filter((k) => !k.expiresAt || k.expiresAt.getTime() > now)
      .map((k) => ({
        scheme: k.scheme === 'v1a' ? ('v1a' as const) : ('v1' as const),
        publicKey: k.publicKey,
        createdAt: k.createdAt.toISOString(),
        expiresAt: iso(k.expiresAt),
      })),
    consecutiveFailures: s.consecutiveFailures,
    failingSince: iso(s.failingSince),
    lastSuccessAt: iso(s.lastSuccessAt),
    lastFailureAt: iso(s.lastFailureAt),
    createdBy: creator,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** The API's view of a delivery with its attempts, oldest first. */
export function deliveryView(d: DeliveryRow): DeliveryView {
  return {
    id: d.id.toString(),
    eventId: d.event.id,
    eventType: d.event.type,
    eventSequence: d.eventSequence.toString(),
    occurredAt: d.event.occurredAt.toISOString(),
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: iso(d.nextAttemptAt),
    trigger: d.trigger,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    completedAt: iso(d.completedAt),
    attempts: d.attempts.map((a) => ({
      attemptNo: a.attemptNo,
      trigger: a.trigger,
      startedAt: a.startedAt.toISOString(),
      durationMs: a.durationMs,
      statusCode: a.statusCode,
      responseExcerpt: a.responseExcerpt,
      error: a.error,
      succeeded: a.succeeded,
    })),
  };
}
