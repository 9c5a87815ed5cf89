import { EVENT_DATA_SCHEMAS, eventTypeSchema, isoDate, relayEventSchema } from '@3cx-relay/events';
import type { EventData, EventType, RelayEvent } from '../types.js';
import type { DeliveryOrder } from './delivery-order.js';
import { WebhookVerificationError } from './webhook-error.js';

/**
 * A verified webhook, discriminated by `type` (so `data` is typed per event type).
 * The relay sends the Standard Webhooks body `{type, timestamp, data}`; `id` is the
 * `webhook-id` header, which is the event id (`evt_…`, stable across retries: de-duplicate on it).
 */
export type WebhookEvent = {
  [T in EventType]: {
    /** Event id (`evt_…`) from the signed `webhook-id` header. */
    id: string;
    type: T;
    /** When the event happened upstream, ISO 8601 UTC. */
    timestamp: string;
    data: EventData<T>;
    /** The full envelope (sequence, filter fields) when the body carries it, else null. */
    envelope: Extract<RelayEvent, { type: T }> | null;
    /**
     * The delivery's place in its call (`relay-sequence`, `relay-order-key`,
     * `relay-previous-sequence`), null without those headers. Check it with a `CallOrderTracker`.
     */
    order: DeliveryOrder | null;
  };
}[EventType];

function malformed(message: string, cause?: unknown): WebhookVerificationError {
  return new WebhookVerificationError('malformed_payload', message, { cause });
}

/** Parses and validates a verified body against the event package's zod schemas. */
export function parseWebhookEvent(
  id: string,
  body: Buffer,
  order: DeliveryOrder | null = null,
): WebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw malformed('body is not JSON', err);
  }
  if (typeof json !== 'object' || json === null) throw malformed('body is not a JSON object');
  if ('schemaVersion' in json) {
    const full = relayEventSchema.safeParse(json);
    if (!full.success) throw malformed(`not a relay event: ${full.error.message}`, full.error);
    if (full.data.id !== id) throw malformed('body id differs from webhook-id');
    return {
      id,
      type: full.data.type,
      timestamp: full.data.occurredAt,
      data: full.data.data,
      envelope: full.data,
      order,
    } as WebhookEvent;
  }
  const { type, timestamp, data } = json as Record<string, unknown>;
  const t = eventTypeSchema.safeParse(type);
  if (!t.success) throw malformed(`unknown event type ${JSON.stringify(type)}`, t.error);
  if (!isoDate.safeParse(timestamp).success) throw malformed('timestamp is not an ISO 8601 date');
  const d = EVENT_DATA_SCHEMAS[t.data].safeParse(data);
  if (!d.success) throw malformed(`data does not match ${t.data}: ${d.error.message}`, d.error);
  return {
    id,
    type: t.data,
    timestamp: timestamp as string,
    data: d.data,
    envelope: null,
    order,
  } as WebhookEvent;
}
