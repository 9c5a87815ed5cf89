import { readDeliveryOrder, type DeliveryOrder } from './delivery-order.js';
import type { HeaderSource } from './read-headers.js';

/**
 * What a delivery means for its call's order:
 * - `in_order`: the next event of its call, nothing missed in between;
 * - `gap`: events of this call were routed to you that you have not received (yet): `missing`
 *   says between which sequences. With per-call ordering it means they failed for good, were
 *   cancelled, or this tracker started mid-call (a restart);
 * - `late`: older than an event of this call you already had: a manual replay, or a
 *   subscription without per-call ordering;
 * - `duplicate`: the same event again (at-least-once delivery);
 * - `unordered`: an event that belongs to no call, or a delivery without order headers.
 */
export type OrderVerdict = 'in_order' | 'gap' | 'late' | 'duplicate' | 'unordered';

/** The verdict on one delivery. */
export interface OrderCheck {
  verdict: OrderVerdict;
  order: DeliveryOrder | null;
  /** The newest sequence of this key seen before this delivery (null: none). */
  lastSeen: bigint | null;
  /** For `gap`: the missed range, exclusive `after`, inclusive `through`. */
  missing: { after: bigint; through: bigint } | null;
}

/** Options of {@link CallOrderTracker}. */
export interface CallOrderTrackerOptions {
  /** Calls remembered at most; the least recently seen are forgotten first (default 100 000). */
  maxKeys?: number;
}

/**
 * Checks the order of a subscription's deliveries call by call, from the relay's order headers
 * (see {@link readDeliveryOrder}). Keep one tracker per subscription (the previous sequence is
 * per subscription) and per process; it remembers the newest sequence per call in memory.
 * A receiver that must survive restarts keeps that number with its own call record instead.
 *
 * ```ts
 * const order = new CallOrderTracker();
 * const event = await verifyWebhook(raw, req.headers, options);
 * const check = order.check(event.order);
 * if (check.verdict === 'late' || check.verdict === 'duplicate') return res.sendStatus(204); // already past it
 * if (check.verdict === 'gap') await reconcile(event); // e.g. re-read the call from /relay/call-history
 * ```
 */
export class CallOrderTracker {
  private readonly last = new Map<string, bigint>();
  private readonly maxKeys: number;

  constructor(opts: CallOrderTrackerOptions = {}) {
    this.maxKeys = opts.maxKeys ?? 100_000;
  }

  /** Judges a delivery (its order, or its request headers) and remembers it. */
  check(input: DeliveryOrder | HeaderSource | null): OrderCheck {
    const order =
      input && 'sequence' in input && typeof input.sequence === 'bigint'
        ? (input as DeliveryOrder)
        : input
          ? readDeliveryOrder(input as HeaderSource)
          : null;
    if (!order?.orderKey) return { verdict: 'unordered', order, lastSeen: null, missing: null };
    const key = order.orderKey;
    const lastSeen = this.last.get(key) ?? null;
    if (lastSeen !== null && order.sequence === lastSeen)
      return { verdict: 'duplicate', order, lastSeen, missing: null };
    if (lastSeen !== null && order.sequence < lastSeen)
      return { verdict: 'late', order, lastSeen, missing: null };
    this.remember(key, order.sequence);
    const expected = lastSeen ?? 0n;
    const prev = order.previousSequence ?? expected;
    if (prev > expected)
      return { verdict: 'gap', order, lastSeen, missing: { after: expected, through: prev } };
    return { verdict: 'in_order', order, lastSeen, missing: null };
  }

  /** Forgets a call (e.g. after its `call.completed`). */
  forget(orderKey: string): void {
    this.last.delete(orderKey);
  }

  private remember(key: string, sequence: bigint): void {
    this.last.delete(key); // re-insert: the map's order is recency
    this.last.set(key, sequence);
    if (this.last.size > this.maxKeys) this.last.delete(this.last.keys().next().value!);
  }
}
