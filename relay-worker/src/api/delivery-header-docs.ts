import { DELIVERY_ORDER_HEADERS } from '@3cx-relay/events';

/** One header the relay sends on a webhook delivery, as the API documents describe it. */
export interface DeliveryHeaderDoc {
  name: string;
  /** Sent on every delivery (false: only on some, see the description). */
  always: boolean;
  description: string;
}

/**
 * The relay's own headers beside the Standard Webhooks ones (none is covered by the signature),
 * for the OpenAPI `webhooks` section and the AsyncAPI webhook channel. A subscription's extra
 * headers come on top and are not listed: the receiver chose them.
 */
export const RELAY_DELIVERY_HEADERS: readonly DeliveryHeaderDoc[] = [
  {
    name: DELIVERY_ORDER_HEADERS.sequence,
    always: true,
    description: 'The event’s position in the relay’s event log (decimal, 64-bit); the same on every retry.',
  },
  {
    name: DELIVERY_ORDER_HEADERS.orderKey,
    always: false,
    description:
      'The order key of call events (`call:<3CX callid>`) and of `cdr.created`/`call.completed` (`history:<call history id>`); absent for events without one.',
  },
  {
    name: DELIVERY_ORDER_HEADERS.previousSequence,
    always: false,
    description:
      '`relay-sequence` of the previous event with the same order key routed to this subscription, `0` for the first; absent without an order key. A receiver that last saw a lower sequence for that key has a gap (with `ordering: "per-call"` the relay sends a key’s events one at a time, in this order).',
  },
  {
    name: 'traceparent',
    always: true,
    description:
      'W3C Trace Context: the trace id is derived from the event id (all deliveries of one event share it), the span id from the delivery id and attempt number.',
  },
];
