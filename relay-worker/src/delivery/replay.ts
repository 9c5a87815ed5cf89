import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { eventId, type NewEvent } from '@3cx-relay/events';
import { AppError } from '../errors.js';
import { SQL_SUBSCRIPTION_MATCHES_EVENT } from './event-filter.js';
import { SQL_PREVIOUS_EVENT, SQL_PREVIOUS_SEQUENCE } from './outbox.js';

/**
 * Manual replay. Each function only moves rows back to `pending` (due now, with the
 * trigger recorded on the next attempt); the dispatcher does the sending, so a replay
 * obeys the same concurrency, signing and SSRF rules as normal traffic.
 */

/** Makes one delivery due now (not while another attempt of it is in flight). */
export async function retryDelivery(pool: pg.Pool, deliveryId: string): Promise<number> {
  const res = await pool.query(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), trigger = 'manual', completed_at = NULL,
                           locked_until = NULL, locked_by = NULL, updated_at = now()
      WHERE id = $1 AND (locked_until IS NULL OR locked_until < now())`,
    [deliveryId],
  );
  if (!res.rowCount) throw new AppError('NOT_FOUND', `no idle delivery ${deliveryId}`);
  return res.rowCount;
}

/** Makes every failed delivery of a subscription due now. */
export async function retryFailed(pool: pg.Pool, subscriptionId: string): Promise<number> {
  const res = await pool.query(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), trigger = 'manual', completed_at = NULL, updated_at = now()
      WHERE subscription_id = $1 AND status = 'failed'`,
    [subscriptionId],
  );
  return res.rowCount ?? 0;
}

/**
 * Re-sends every matching event since `since` that has not reached the subscription:
 * creates deliveries for events it never got (e.g. while disabled) and re-queues failed or
 * cancelled ones. Succeeded deliveries are left alone. `since` must lie within retention.
 * Works through the events in sequence order, `batchSize` per statement, so recovering
 * days of a busy PBX never becomes one huge transaction; each batch is committed on its own
 * and the dispatcher starts sending while later ones are queued.
 */
export async function recoverSince(
  pool: pg.Pool,
  subscriptionId: string,
  since: Date,
  retentionMs: number,
  batchSize = 5000,
): Promise<number> {
  if (Number.isNaN(since.getTime())) throw new AppError('BAD_REQUEST', 'since must be a date');
  if (Date.now() - since.getTime() > retentionMs) {
    throw new AppError(
      'BAD_REQUEST',
      `since is beyond the event retention of ${Math.round(retentionMs / 86_400_000)} days`,
    );
  }
  let after = '0';
  let queued = 0;
  // Bounded: every round moves `after` forward past at least one event, and events are finite.
  for (;;) {
    const res = await pool.query<{ last: string | null; queued: number }>(
      `WITH batch AS (
         SELECT e.sequence, $1::uuid AS sid, e.order_key AS ekey,
                CASE WHEN s.ordering = 'per-call' THEN e.order_key END AS okey,
                CASE WHEN e.order_key IS NOT NULL THEN ${SQL_PREVIOUS_EVENT} END AS prev_event
           FROM webhook_subscriptions s
           JOIN events e ON e.sequence > $3 AND e.occurred_at >= $2 AND e.type <> 'relay.test'
                        AND ${SQL_SUBSCRIPTION_MATCHES_EVENT}
                        AND NOT (starts_with(e.type, 'subscription.') AND e.data->>'subscriptionId' = s.id::text)
          WHERE s.id = $1
          ORDER BY e.sequence
          LIMIT $4
          -- what foreign keys checked per row (migration 20261205090000): neither can go meanwhile
          FOR KEY SHARE OF s, e
       ), queued AS (
         INSERT INTO deliveries (event_sequence, subscription_id, next_attempt_at, trigger, order_key, prev_sequence)
         SELECT c.sequence, $1, now(), 'recover', c.okey,
                CASE WHEN c.ekey IS NOT NULL THEN coalesce(
                  lag(c.sequence) OVER (PARTITION BY c.ekey ORDER BY c.sequence), ${SQL_PREVIOUS_SEQUENCE}) END
           FROM batch c
         ON CONFLICT (subscription_id, event_sequence) DO UPDATE
            SET status = 'pending', next_attempt_at = now(), trigger = 'recover', completed_at = NULL,
                locked_until = NULL, locked_by = NULL, updated_at = now()
          WHERE deliveries.status IN ('failed', 'cancelled')
         RETURNING 1
       )
       SELECT (SELECT max(sequence) FROM batch)::text AS last, (SELECT count(*) FROM queued)::int AS queued`,
      [subscriptionId, since, after, batchSize],
    );
    const row = res.rows[0];
    if (!row?.last) return queued;
    queued += row.queued;
    after = row.last;
  }
}

/** What a test send needs from the event store. */
export interface TestEventAppender {
  append(events: NewEvent[]): Promise<{ sequence: bigint }[]>;
}

/** Appends a `relay.test` event and queues it for this one subscription only. */
export async function sendTest(
  pool: pg.Pool,
  store: TestEventAppender,
  subscriptionId: string,
): Promise<string> {
  const sub = await pool.query('SELECT 1 FROM webhook_subscriptions WHERE id = $1', [subscriptionId]);
  if (!sub.rowCount) throw new AppError('NOT_FOUND', `no subscription ${subscriptionId}`);
  const [stored] = await store.append([
    {
      id: eventId('relay.test', subscriptionId, randomUUID()),
      type: 'relay.test',
      occurredAt: new Date(),
      extensions: [],
      dids: [],
      queues: [],
      data: { message: 'Test event from 3CX Relay', subscriptionId },
    },
  ]);
  if (!stored) throw new AppError('INTERNAL', 'test event was not stored');
  const res = await pool.query<{ id: string }>(
    // The event and the subscription are locked as a foreign-key check would (migration
    // 20261205090000): a subscription deleted since the check above gets no delivery.
    `WITH p AS (
       SELECT e.sequence, s.id FROM events e, webhook_subscriptions s
        WHERE e.sequence = $1 AND s.id = $2 FOR KEY SHARE OF e, s)
     INSERT INTO deliveries (event_sequence, subscription_id, next_attempt_at, trigger)
     SELECT sequence, id, now(), 'test' FROM p RETURNING id::text`,
    [stored.sequence.toString(), subscriptionId],
  );
  if (!res.rows[0]) throw new AppError('NOT_FOUND', `no subscription ${subscriptionId}`);
  return res.rows[0].id;
}
