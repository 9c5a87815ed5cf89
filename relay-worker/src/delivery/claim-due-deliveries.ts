import type pg from 'pg';
import { laneIndexed } from './outbox.js';

/** A delivery claimed for sending, with what is needed to build its request. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  /** Attempts already made before this one. */
  attemptCount: number;
  trigger: string;
  createdAt: Date;
  eventSequence: string;
  eventId: string;
  eventType: string;
  occurredAt: Date;
  /** The event's `data` as JSON text, spliced into the body without re-parsing. */
  dataJson: string;
  /** The lane (per-call order key) when the subscription orders per call; null = unordered. */
  orderKey: string | null;
  /** The event's order key whatever the subscription's ordering, for the `relay-order-key` header. */
  eventOrderKey: string | null;
  /** `relay-previous-sequence` (0 = first of its key); null for events without a key. */
  prevSequence: string | null;
  /** When this process's lease on the row ends (local clock, ms; a little early to be safe). */
  leaseUntil: number;
  /** Fast path only: the outbox leased it because its lane was already held here. */
  joined?: boolean;
  /** The signed body, built once per event when dispatched. */
  body?: Buffer;
}

interface Row {
  id: string;
  subscription_id: string;
  attempt_count: number;
  trigger: string;
  created_at: Date;
  event_sequence: string;
  event_id: string;
  type: string;
  occurred_at: Date;
  data: string;
  order_key: string | null;
  event_order_key: string | null;
  prev_sequence: string | null;
  head_id: string;
  rank: string;
}

/**
 * Heads: due, unleased pending rows that are unordered or the earliest pending row of their
 * lane (the head-of-line rule of per-call ordering; see {@link laneIndexed} for how). A claimed head brings the rest of its lane
 * along ("a claimed call is claimed whole"): the pending rows after it, up to `perLane`, as far
 * as they run unleased (a row still leased by a dead worker ends the run; it comes later as a
 * head of its own).
 */
export const CLAIM_SQL = `
WITH heads AS (
  SELECT d.id, d.subscription_id, d.order_key, d.event_sequence
    FROM deliveries d
   WHERE d.status = 'pending' AND d.next_attempt_at <= now()
     AND (d.locked_until IS NULL OR d.locked_until < now())
     AND d.subscription_id <> ALL($3::uuid[])
     AND (d.order_key IS NULL OR (
           NOT EXISTS (
             SELECT 1 FROM deliveries p
              WHERE p.subscription_id = d.subscription_id AND p.order_key = d.order_key
                AND p.status = 'pending' AND ${laneIndexed('p')} AND p.event_sequence < d.event_sequence)
           -- the rows the lane index leaves out: pending only while the row's previous one is
           AND NOT EXISTS (
             SELECT 1 FROM deliveries p
              WHERE p.subscription_id = d.subscription_id AND p.event_sequence = d.prev_sequence
                AND p.status = 'pending')))
   ORDER BY d.next_attempt_at, d.id
   LIMIT $1
   FOR UPDATE SKIP LOCKED),
candidates AS (
  SELECT f.id, h.id AS head_id, row_number() OVER w AS rank, bool_and(f.free) OVER w AS contiguous
    FROM heads h
    CROSS JOIN LATERAL (
      -- the lane after its head, leased rows included (the lane index leaves most of those out):
      -- the call's later events, each one probe of (subscription, event). OFFSET 0 keeps the
      -- probe per event: joined freely, the planner estimated reading the subscription's whole
      -- outbox, and a plan estimated that high is JIT-compiled on every claim (~0.5 s).
      SELECT x.id, x.event_sequence, x.free
        FROM events e
        CROSS JOIN LATERAL (
          SELECT x.id, x.event_sequence, (x.locked_until IS NULL OR x.locked_until < now()) AS free
            FROM deliveries x
           WHERE x.subscription_id = h.subscription_id AND x.event_sequence = e.sequence
             AND x.order_key = h.order_key AND x.status = 'pending'
          OFFSET 0) x
       WHERE h.order_key IS NOT NULL AND e.order_key = h.order_key AND e.sequence > h.event_sequence
       ORDER BY e.sequence
       LIMIT $4) f
  WINDOW w AS (PARTITION BY h.id ORDER BY f.event_sequence)),
followers AS (
  SELECT d.id, c.head_id, c.rank
    FROM deliveries d JOIN candidates c ON c.id = d.id
   WHERE c.contiguous
   FOR UPDATE OF d SKIP LOCKED),
claimed AS (
  SELECT id, id AS head_id, 0::bigint AS rank FROM heads
  UNION ALL SELECT id, head_id, rank FROM followers)
UPDATE deliveries d SET locked_until = now() + $2 * interval '1 millisecond', locked_by = $5
  FROM claimed, events e
 WHERE d.id = claimed.id AND e.sequence = d.event_sequence
RETURNING d.id::text, d.subscription_id::text, d.attempt_count, d.trigger, d.created_at,
          d.event_sequence::text, e.id AS event_id, e.type, e.occurred_at, e.data::text AS data,
          d.order_key, e.order_key AS event_order_key, d.prev_sequence::text,
          claimed.head_id::text, claimed.rank::text`;

/** What a claim took: rows to send, and lane rows behind a gap to hand back at once. */
export interface ClaimResult {
  claimed: ClaimedDelivery[];
  /** Followers leased past a row the claim could not lock: sending them would skip it. */
  stray: string[];
}

/**
 * Claims up to `limit` due heads (plus their lanes): `FOR UPDATE SKIP LOCKED` lets several
 * workers claim side by side without waiting on each other, and the lease (`locked_until`,
 * `locked_by`) keeps a claimed row away from other claimers until it is recorded or the lease
 * runs out (a worker that died mid-send). Subscriptions in `skipSubscriptions` (at their
 * in-memory cap) are left alone.
 */
export async function claimDueDeliveries(
  pool: pg.Pool,
  opts: { limit: number; leaseMs: number; skipSubscriptions: string[]; perLane: number; instanceId: string },
): Promise<ClaimResult> {
  // The database's clock started the lease; stay a little inside it.
  const leaseUntil = Date.now() + opts.leaseMs - Math.min(1000, opts.leaseMs / 20);
  const res = await pool.query<Row>(CLAIM_SQL, [
    opts.limit,
    opts.leaseMs,
    opts.skipSubscriptions,
    opts.perLane,
    opts.instanceId,
  ]);
  const byHead = new Map<string, Row[]>();
  for (const r of res.rows) {
    const lane = byHead.get(r.head_id);
    if (lane) lane.push(r);
    else byHead.set(r.head_id, [r]);
  }
  const claimed: ClaimedDelivery[] = [];
  const stray: string[] = [];
  for (const lane of byHead.values()) {
    lane.sort((a, b) => Number(a.rank) - Number(b.rank));
    let gap = false;
    lane.forEach((r, i) => {
      gap ||= Number(r.rank) !== i;
      if (gap) stray.push(r.id);
      else claimed.push(toClaimed(r, leaseUntil));
    });
  }
  claimed.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  return { claimed, stray };
}

function toClaimed(r: Row, leaseUntil: number): ClaimedDelivery {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    attemptCount: r.attempt_count,
    trigger: r.trigger,
    createdAt: r.created_at,
    eventSequence: r.event_sequence,
    eventId: r.event_id,
    eventType: r.type,
    occurredAt: r.occurred_at,
    dataJson: r.data,
    orderKey: r.order_key,
    eventOrderKey: r.event_order_key,
    prevSequence: r.prev_sequence,
    leaseUntil,
  };
}

/** The Standard Webhooks body `{"type","timestamp","data"}` with the stored JSON spliced in as is. */
export function buildBody(d: Pick<ClaimedDelivery, 'eventType' | 'occurredAt' | 'dataJson'>): Buffer {
  return Buffer.from(
    `{"type":${JSON.stringify(d.eventType)},"timestamp":"${d.occurredAt.toISOString()}","data":${d.dataJson}}`,
  );
}
