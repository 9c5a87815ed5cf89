/**
 * Per-call ordering of webhook deliveries. Events of one call share an order key: live call
 * events (`call.ringing` … `call.missed`) by 3CX callid, `cdr.created` and `call.completed` by
 * call history id. A subscription with `ordering: "per-call"` gets the events of one key in
 * event-log order; every delivery of a keyed event carries the headers below so a receiver
 * can tell an in-order delivery from a gap or a late one (see `@3cx-relay/client`'s
 * `CallOrderTracker`).
 */

/** Event types ordered by call history id rather than by live callid. */
export const HISTORY_ORDERED_TYPES: readonly string[] = ['cdr.created', 'call.completed'];

/** What {@link orderKeyOf} reads of an event. */
export interface OrderableEvent {
  type: string;
  callId?: string | null | undefined;
  callHistoryId?: string | null | undefined;
}

/**
 * The order key of an event: `call:<callid>` for live call events, `history:<call_history_id>`
 * for `cdr.created` / `call.completed`, null for events that belong to no call (`relay.*`,
 * `subscription.*`). 3CX reuses callids after a PBX restart; two calls sharing a key are then
 * only ordered together, never reordered.
 */
export function orderKeyOf(e: OrderableEvent): string | null {
  if (HISTORY_ORDERED_TYPES.includes(e.type)) return e.callHistoryId ? `history:${e.callHistoryId}` : null;
  if (e.type.startsWith('call.') && e.callId) return `call:${e.callId}`;
  return null;
}

/**
 * Headers of every webhook delivery (not covered by the Standard Webhooks signature, like any
 * header but `webhook-*`):
 * - `relay-sequence`: the event's position in the relay's event log (decimal, 64-bit);
 * - `relay-order-key`: the event's order key, absent for events without one;
 * - `relay-previous-sequence`: the sequence of the previous event with the same key that was
 *   routed to this subscription, `0` when this is the first; absent without a key.
 */
export const DELIVERY_ORDER_HEADERS = {
  sequence: 'relay-sequence',
  orderKey: 'relay-order-key',
  previousSequence: 'relay-previous-sequence',
} as const;

/** How a subscription orders deliveries: `per-call` (one key at a time, in order) or `none` (as they come). */
export const DELIVERY_ORDERINGS = ['per-call', 'none'] as const;
export type DeliveryOrdering = (typeof DELIVERY_ORDERINGS)[number];
