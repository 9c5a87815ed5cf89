import type pg from 'pg';

/** One finished attempt, ready to be written. */
export interface AttemptRecord {
  deliveryId: string;
  subscriptionId: string;
  attemptNo: number;
  trigger: string;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  excerpt: string | null;
  error: string | null;
  /** `delivery_stats` outcome: the status code, or `timeout` | `connect` | `dns` | `ssrf` | `other`. */
  outcome: string;
  succeeded: boolean;
  status: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt: Date | null;
}

// pg does not strip NUL from text; PostgreSQL refuses it.
const clean = (s: string | null) => (s === null ? null : s.split('\u0000').join(''));

/**
 * Writes a batch of attempts in one statement: the `delivery_attempts` rows with the matching
 * `deliveries` updates (status, next attempt, lease released), through `unnest` arrays, so a
 * batch of hundreds costs one round trip. The hourly `delivery_stats` increments go separately,
 * gathered over a second ({@link DeliveryStatsBuffer}).
 *
 * `delivery_attempts.delivery_id` is not a foreign key (migration 20261205090000): an attempt
 * is inserted only for a delivery this statement holds a row lock on (the update of a pending
 * delivery, or FOR KEY SHARE of one no longer pending), so a delivery deleted meanwhile either
 * was gone first (no attempt) or waits for this statement (its cascade then deletes the
 * attempt). A delivery that stopped being pending between this statement's snapshot and its
 * update (cancelled at that instant) loses this attempt's record, not the delivery.
 */
export async function recordAttempts(pool: pg.Pool, batch: AttemptRecord[]): Promise<void> {
  if (batch.length === 0) return;
  // Not a named (prepared) statement: a generic plan guesses 100 rows for each unnest, and a
  // batch runs to 1000 (measured slower at 1000 than a plan made for the batch).
  await pool.query(
    `WITH r AS (
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::timestamptz[], $5::float8[], $6::int[], $7::text[],
                            $8::text[], $9::bool[], $10::delivery_status[], $11::timestamptz[])
         AS r(delivery_id, attempt_no, trigger, started_at, duration_ms, status_code, excerpt, error, succeeded, status, next_at)),
     upd AS (
       UPDATE deliveries d
          SET status = r.status, attempt_count = r.attempt_no, next_attempt_at = r.next_at, locked_until = NULL,
              locked_by = NULL, trigger = 'scheduled', last_status_code = r.status_code, last_error = r.error,
              updated_at = now(), completed_at = CASE WHEN r.status = 'pending' THEN NULL ELSE now() END
         FROM r
        WHERE d.id = r.delivery_id AND d.status = 'pending'
       RETURNING d.id),
     done AS (
       -- deliveries no longer pending (cancelled, or completed by a test send) still get the attempt
       SELECT d.id FROM deliveries d WHERE d.id = ANY($1::bigint[]) AND d.status <> 'pending' FOR KEY SHARE)
     INSERT INTO delivery_attempts (delivery_id, attempt_no, trigger, started_at, duration_ms, status_code, response_excerpt, error, succeeded)
     SELECT r.delivery_id, r.attempt_no, r.trigger, r.started_at, r.duration_ms, r.status_code, r.excerpt, r.error, r.succeeded
       FROM r WHERE r.delivery_id IN (SELECT id FROM upd UNION SELECT id FROM done)`,
    [
      batch.map((a) => a.deliveryId),
      batch.map((a) => a.attemptNo),
      batch.map((a) => a.trigger),
      batch.map((a) => a.startedAt),
      batch.map((a) => a.durationMs),
      batch.map((a) => a.statusCode),
      batch.map((a) => clean(a.excerpt)),
      batch.map((a) => clean(a.error)),
      batch.map((a) => a.succeeded),
      batch.map((a) => a.status),
      batch.map((a) => a.nextAttemptAt),
    ],
  );
}

/** A lane whose head just settled: deferred behind its retry, or woken after a retried head completed. */
export interface LaneChange {
  subscriptionId: string;
  orderKey: string;
  /** The head's event sequence: rows after it are affected. */
  afterSequence: string;
  /** `defer`: not due before `at` (the head's next attempt); `wake`: due at `at` at the latest. */
  mode: 'defer' | 'wake';
  at: Date;
}

/** {@link releaseLanes}' statement: `$1` rows handed back, `$2`–`$6` the lane changes (subscription, key, head sequence, mode, time). */
export const RELEASE_LANES_SQL = `WITH h AS (
       SELECT * FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[])
         AS h(sid, okey, seq, mode, at)),
     lane AS (
       -- the lane after its head, leased rows included (the lane index leaves most of those out):
       -- the call's later events, each one probe of (subscription, event); OFFSET 0 keeps it so
       -- (see CLAIM_SQL)
       SELECT d.id, max(h.at) FILTER (WHERE h.mode = 'defer') AS defer_to, min(h.at) FILTER (WHERE h.mode = 'wake') AS wake_at
         FROM h
         JOIN events e ON e.order_key = h.okey AND e.sequence > h.seq
         CROSS JOIN LATERAL (
           SELECT d.id FROM deliveries d
            WHERE d.subscription_id = h.sid AND d.event_sequence = e.sequence AND d.order_key = h.okey AND d.status = 'pending'
           OFFSET 0) d
        GROUP BY d.id),
     rel AS (SELECT unnest($1::bigint[]) AS id),
     t AS (
       SELECT coalesce(lane.id, rel.id) AS id, lane.defer_to, lane.wake_at, rel.id IS NOT NULL AS released
         FROM lane FULL JOIN rel ON lane.id = rel.id)
     UPDATE deliveries d
        SET locked_until = CASE WHEN t.released THEN NULL ELSE d.locked_until END,
            locked_by = CASE WHEN t.released THEN NULL ELSE d.locked_by END,
            next_attempt_at = GREATEST(
              t.defer_to,
              LEAST(t.wake_at, CASE WHEN t.released THEN LEAST(d.next_attempt_at, now()) ELSE d.next_attempt_at END)),
            updated_at = now()
       FROM t
      WHERE d.id = t.id AND d.status = 'pending'
        AND (t.released OR d.locked_until IS NULL OR d.locked_until < now())`;

/**
 * Hands rows back to the claim loop and keeps lanes' due times in step with their heads:
 * - `released` rows (leased to this worker, not sent) lose their lease and are due now, or
 *   when their lane's deferral says;
 * - after a head failed with a retry ahead, its lane's unleased rows are not due before it
 *   (the claim loop does not keep scanning rows that cannot go);
 * - after a retried head completed, its lane's deferred rows are due again.
 * Rows another worker holds are left alone.
 */
export async function releaseLanes(pool: pg.Pool, released: string[], lanes: LaneChange[]): Promise<void> {
  if (released.length === 0 && lanes.length === 0) return;
  await pool.query(RELEASE_LANES_SQL, [
    released,
    lanes.map((l) => l.subscriptionId),
    lanes.map((l) => l.orderKey),
    lanes.map((l) => l.afterSequence),
    lanes.map((l) => l.mode),
    lanes.map((l) => l.at),
  ]);
}
