import { DELIVERY_ORDER_HEADERS } from '@3cx-relay/events';
import { headerValue, type HeaderSource } from './read-headers.js';

/**
 * Where a delivery sits in its call's chain, read from the relay's headers:
 * `relay-sequence` (the event's position in the relay's log), `relay-order-key` (`call:<callid>`
 * for live call events, `history:<call_history_id>` for `cdr.created` / `call.completed`) and
 * `relay-previous-sequence` (the previous event of that key the relay routed to this
 * subscription; 0 for the first). These headers are not covered by the signature.
 */
export interface DeliveryOrder {
  sequence: bigint;
  /** Null for events that belong to no call (`relay.*`, `subscription.*`). */
  orderKey: string | null;
  /** Null when the event has no order key. */
  previousSequence: bigint | null;
}

const decimal = (v: string | undefined) =>
  v !== undefined && /^\d{1,20}$/.test(v.trim()) ? BigInt(v.trim()) : null;

/** Reads a delivery's order headers; null when there are none (a relay older than per-call ordering). */
export function readDeliveryOrder(headers: HeaderSource): DeliveryOrder | null {
  const sequence = decimal(headerValue(headers, DELIVERY_ORDER_HEADERS.sequence));
  if (sequence === null) return null;
  const orderKey = headerValue(headers, DELIVERY_ORDER_HEADERS.orderKey)?.trim() || null;
  const previousSequence = orderKey
    ? decimal(headerValue(headers, DELIVERY_ORDER_HEADERS.previousSequence))
    : null;
  return { sequence, orderKey, previousSequence };
}
