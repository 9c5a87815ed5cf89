import type pg from 'pg';
import type { AppendHook } from '../events/event-store.js';
import { SQL_SUBSCRIPTION_MATCHES_EVENT } from './event-filter.js';

/** Event types never fanned out to subscriptions automatically (sent to one subscription on request). */
export const DIRECT_ONLY_TYPES = ['relay.test'];

/**
 * The durable outbox: inside the event store's append transaction, one INSERT … SELECT
 * creates a `deliveries` row for every enabled subscription whose filters match each new
 * event. Event and deliveries commit together or not at all, so nothing is lost between
 * "recorded" and "queued".
 */
export function createOutboxHook(): AppendHook {
  return async (client, inserted) => {
    await insertDeliveries(client, inserted.map((e) => e.sequence.toString()));
  };
}

/** Inserts deliveries for the given event sequences; returns how many were created. */
export async function insertDeliveries(client: pg.PoolClient | pg.Pool, sequences: string[], subscriptionId?: string): Promise<number> {
  const res = await client.query(
    `INSERT INTO deliveries (event_sequence, subscription_id, next_attempt_at)
     SELECT e.sequence, s.id, now()
       FROM events e
       JOIN webhook_subscriptions s ON s.enabled AND ${SQL_SUBSCRIPTION_MATCHES_EVENT}
      WHERE e.sequence = ANY($1::bigint[]) AND e.type <> ALL($2::text[]) ${subscriptionId ? 'AND s.id = $3' : ''}
     ON CONFLICT (subscription_id, event_sequence) DO NOTHING`,
    subscriptionId ? [sequences, DIRECT_ONLY_TYPES, subscriptionId] : [sequences, DIRECT_ONLY_TYPES],
  );
  return res.rowCount ?? 0;
}
