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
export function createOutboxHook(fastPath?: OutboxFastPath): AppendHook {
  return async (client, inserted) => {
    const sequences = inserted.map((e) => e.sequence.toString());
    const lease = fastPath?.leaseMsIfCapacity() ?? null;
    if (lease === null) {
      await insertDeliveries(client, sequences);
      return;
    }
    // Leased rows get next_attempt_at = the lease's end: the claim loop's index range skips
    // them until then, and picks them up if this process dies before recording them. Rows of
    // subscriptions whose backlog is full are left due now, for the claim loop.
    const res = await client.query<LeasedRow & { leased: boolean }>(
      `WITH l AS (SELECT now() + $3 * interval '1 millisecond' AS until)
       INSERT INTO deliveries (event_sequence, subscription_id, next_attempt_at, locked_until)
       SELECT e.sequence, s.id,
              CASE WHEN s.id = ANY($4::uuid[]) THEN now() ELSE l.until END,
              CASE WHEN s.id = ANY($4::uuid[]) THEN NULL ELSE l.until END
         FROM l, events e
         JOIN webhook_subscriptions s ON s.enabled AND ${SQL_SUBSCRIPTION_MATCHES_EVENT}
        WHERE e.sequence = ANY($1::bigint[]) AND e.type <> ALL($2::text[])
       ON CONFLICT (subscription_id, event_sequence) DO NOTHING
       RETURNING id::text, subscription_id::text, event_sequence::text, locked_until IS NOT NULL AS leased`,
      [sequences, DIRECT_ONLY_TYPES, lease.leaseMs, lease.skipSubscriptions],
    );
    const leased = res.rows.filter((r) => r.leased);
    if (leased.length) fastPath!.leased(leased);
  };
}

/** A delivery the outbox created already leased to this process. */
export interface LeasedRow {
  id: string;
  subscription_id: string;
  event_sequence: string;
}

/**
 * The in-process fast path: when the local dispatcher has room, the outbox inserts the new
 * deliveries already leased to it and hands them over after the commit (see
 * DeliveryService), skipping a claim query and an UPDATE per delivery. If this process dies
 * first, the lease runs out and any worker claims them: still durable.
 */
export interface OutboxFastPath {
  /** The lease to take and the subscriptions to leave out (full backlog), or null to leave every row to the claim loop. */
  leaseMsIfCapacity(): { leaseMs: number; skipSubscriptions: string[] } | null;
  /** Rows inserted leased (inside the transaction: not yet committed). */
  leased(rows: LeasedRow[]): void;
}

/** Inserts deliveries for the given event sequences; returns how many were created. */
export async function insertDeliveries(
  client: pg.PoolClient | pg.Pool,
  sequences: string[],
  subscriptionId?: string,
): Promise<number> {
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
