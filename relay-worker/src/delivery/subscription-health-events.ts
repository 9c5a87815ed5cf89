import { eventId, type NewEvent } from '@3cx-relay/events';

/** Where health events go (the event store). */
export interface HealthEventAppender {
  append(events: NewEvent[]): Promise<unknown>;
}

/** Scheme and host of a URL: what health events say about an endpoint (path and query may hold tokens). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/**
 * A `subscription.*` event. Its id depends on the subscription, the type and the instant that
 * defines the transition (the failure run's start; the disable time), so a report repeated by
 * another worker or after a retry is stored once.
 */
export function healthEvent(
  type: 'subscription.failing' | 'subscription.disabled' | 'subscription.recovered',
  sub: { id: string; name: string; url: string },
  fields: Record<string, unknown>,
): NewEvent {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
  const data: Record<string, unknown> = { subscriptionId: sub.id, name: sub.name, origin: originOf(sub.url) };
  for (const [k, v] of Object.entries(fields)) data[k] = iso(v);
  const at = fields.at instanceof Date ? fields.at : new Date();
  const defining = type === 'subscription.disabled' ? data.at : data.failingSince;
  return {
    id: eventId(type, sub.id, String(defining)),
    type,
    occurredAt: at,
    extensions: [],
    dids: [],
    queues: [],
    data,
  };
}
