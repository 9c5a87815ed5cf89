import type pg from 'pg';
import type { Endpoint } from './receiver.js';
import { readEvents, typeMatches, type StoredEventRow, type Subscription } from './relay-fixtures.js';

/** A subscription paired with the receiver endpoint it points at. */
export interface Target {
  sub: Subscription;
  ep: Endpoint;
}

/** Delivery accounting across every target: what should have arrived and what did. */
export interface Ledger {
  events: StoredEventRow[];
  expected: number;
  delivered: number;
  lost: number;
  /** Requests beyond the first per (subscription, webhook-id). */
  duplicates: number;
  requests: number;
  badSignatures: number;
  /** webhook-ids received that are not the id of a stored event. */
  unknownIds: number;
  /** A few lost pairs, for the failure message. */
  lostSample: string[];
  /** Deliveries accepted after a later event of their call, per subscription (see Endpoint). */
  orderViolations: string[];
  /** Calls (order keys) across the subscriptions whose order was checked. */
  orderedCalls: number;
}

/**
 * Compares the relay's event store with what each endpoint acknowledged. The expected set is
 * computed here, from the events table and each subscription's type filter, not from the
 * relay's own outbox, so a delivery row that was never created still counts as lost.
 */
export async function ledger(pool: pg.Pool, targets: Target[]): Promise<Ledger> {
  const events = (await readEvents(pool)).filter((e) => e.type !== 'relay.test');
  const ids = new Set(events.map((e) => e.id));
  const out: Ledger = {
    events,
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    requests: 0,
    badSignatures: 0,
    unknownIds: 0,
    lostSample: [],
    orderViolations: [],
    orderedCalls: 0,
  };
  for (const { sub, ep } of targets) {
    for (const e of events) {
      if (!typeMatches(sub.eventTypes, e.type)) continue;
      out.expected++;
      if (ep.delivered.has(e.id)) out.delivered++;
      else {
        out.lost++;
        if (out.lostSample.length < 5) out.lostSample.push(`${ep.path} ${e.type} #${e.sequence}`);
      }
    }
    out.duplicates += ep.duplicates;
    out.requests += ep.requests;
    out.badSignatures += ep.badSignatures;
    for (const id of ep.ids.keys()) if (!ids.has(id)) out.unknownIds++;
    out.orderViolations.push(...ep.orderViolations);
    out.orderedCalls += ep.callsSeen;
  }
  return out;
}

/** Duplicate requests as a percentage of expected deliveries. */
export function duplicateRate(l: Ledger): string {
  return l.expected ? `${((100 * l.duplicates) / l.expected).toFixed(2)} %` : '0 %';
}
