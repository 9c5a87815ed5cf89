import { createHash } from 'node:crypto';
import { DELIVERY_ORDER_HEADERS } from '@3cx-relay/events';
import type { ClaimedDelivery } from './claim-due-deliveries.js';

let lastTrace = { eventId: '', trace: '' };

/**
 * W3C Trace Context of one attempt: the trace id is the first 16 bytes of SHA-256 of the event
 * id (every attempt of every subscription for one event shares the trace), the parent (span) id
 * is the delivery id shifted left 16 bits plus the attempt number (unique per attempt, and it
 * tells a receiver which delivery and attempt it is). Flags 01: sampled.
 */
export function traceparent(eventId: string, deliveryId: string, attemptNo: number): string {
  // an event's deliveries are sent one after another: hash its id once, not per subscription
  if (eventId !== lastTrace.eventId)
    lastTrace = { eventId, trace: createHash('sha256').update(eventId).digest('hex').slice(0, 32) };
  const trace = lastTrace.trace;
  const span = ((BigInt(deliveryId) << 16n) | BigInt(attemptNo & 0xffff)).toString(16).padStart(16, '0');
  return `00-${trace}-${span.slice(-16)}-01`;
}

/** The relay's own headers of a delivery attempt: its order position and its trace context. */
export function relayHeaders(d: ClaimedDelivery, attemptNo: number): Record<string, string> {
  const h: Record<string, string> = {
    [DELIVERY_ORDER_HEADERS.sequence]: d.eventSequence,
    traceparent: traceparent(d.eventId, d.id, attemptNo),
  };
  if (d.eventOrderKey) {
    h[DELIVERY_ORDER_HEADERS.orderKey] = d.eventOrderKey;
    h[DELIVERY_ORDER_HEADERS.previousSequence] = d.prevSequence ?? '0';
  }
  return h;
}
