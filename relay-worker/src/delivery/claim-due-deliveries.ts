import type pg from 'pg';

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
}

/**
 * Claims up to `limit` due pending deliveries: `FOR UPDATE SKIP LOCKED` lets several workers
 * claim side by side without waiting on each other, and the lease (`locked_until`) keeps a
 * claimed row away from other claimers until it is recorded or the lease runs out (a worker
 * that died mid-send). Subscriptions in `skipSubscriptions` (at their in-memory cap) are left alone.
 */
export async function claimDueDeliveries(
  pool: pg.Pool,
  opts: { limit: number; leaseMs: number; skipSubscriptions: string[] },
): Promise<ClaimedDelivery[]> {
  const res = await pool.query<Row>(
    `WITH due AS (
       SELECT id FROM deliveries
        WHERE status = 'pending' AND next_attempt_at <= now()
          AND (locked_until IS NULL OR locked_until < now())
          AND subscription_id <> ALL($3::uuid[])
        ORDER BY next_attempt_at, id
        LIMIT $1
        FOR UPDATE SKIP LOCKED)
     UPDATE deliveries d SET locked_until = now() + $2 * interval '1 millisecond'
       FROM due, events e
      WHERE d.id = due.id AND e.sequence = d.event_sequence
     RETURNING d.id::text, d.subscription_id::text, d.attempt_count, d.trigger, d.created_at,
               d.event_sequence::text, e.id AS event_id, e.type, e.occurred_at, e.data::text AS data`,
    [opts.limit, opts.leaseMs, opts.skipSubscriptions],
  );
  return res.rows
    .map((r) => ({
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
    }))
    .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
}

/** The Standard Webhooks body `{"type","timestamp","data"}` with the stored JSON spliced in as is. */
export function buildBody(d: Pick<ClaimedDelivery, 'eventType' | 'occurredAt' | 'dataJson'>): Buffer {
  return Buffer.from(
    `{"type":${JSON.stringify(d.eventType)},"timestamp":"${d.occurredAt.toISOString()}","data":${d.dataJson}}`,
  );
}
