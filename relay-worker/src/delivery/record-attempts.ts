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
  succeeded: boolean;
  status: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt: Date | null;
}

/** Per-subscription health after a batch. */
export interface SubscriptionHealth {
  id: string;
  failingSince: Date | null;
  enabled: boolean;
}

/**
 * Writes a batch of attempts in one statement: the `delivery_attempts` rows and the matching
 * `deliveries` updates (status, next attempt, lease released) go through `unnest` arrays, so a
 * batch of hundreds costs one round trip.
 */
export async function recordAttempts(pool: pg.Pool, batch: AttemptRecord[]): Promise<void> {
  if (batch.length === 0) return;
  // pg does not strip NUL from text; PostgreSQL refuses it.
  const clean = (s: string | null) => (s === null ? null : s.split('\u0000').join(''));
  await pool.query(
    `WITH r AS (
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::timestamptz[], $5::float8[], $6::int[], $7::text[],
                            $8::text[], $9::bool[], $10::delivery_status[], $11::timestamptz[])
         AS r(delivery_id, attempt_no, trigger, started_at, duration_ms, status_code, excerpt, error, succeeded, status, next_at)),
     ins AS (
       INSERT INTO delivery_attempts (delivery_id, attempt_no, trigger, started_at, duration_ms, status_code, response_excerpt, error, succeeded)
       SELECT delivery_id, attempt_no, trigger, started_at, duration_ms, status_code, excerpt, error, succeeded FROM r)
     UPDATE deliveries d
        SET status = r.status, attempt_count = r.attempt_no, next_attempt_at = r.next_at, locked_until = NULL,
            trigger = 'scheduled', last_status_code = r.status_code, last_error = r.error, updated_at = now(),
            completed_at = CASE WHEN r.status = 'pending' THEN NULL ELSE now() END
       FROM r
      WHERE d.id = r.delivery_id AND d.status = 'pending'`,
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

/**
 * Updates the health counters (consecutive failures, failing since, last success/failure) of
 * the subscriptions in `batch` in one statement and returns their state.
 */
export async function updateSubscriptionHealth(
  pool: pg.Pool,
  batch: AttemptRecord[],
): Promise<SubscriptionHealth[]> {
  if (batch.length === 0) return [];
  const per = new Map<string, { ok: boolean; failures: number; firstFailure: Date | null; last: Date }>();
  for (const a of batch) {
    const p = per.get(a.subscriptionId) ?? { ok: false, failures: 0, firstFailure: null, last: a.startedAt };
    // Attempts within a batch are not ordered; a success anywhere in it counts as healthy now.
    if (a.succeeded) p.ok = true;
    else {
      p.failures++;
      if (!p.firstFailure || a.startedAt < p.firstFailure) p.firstFailure = a.startedAt;
    }
    if (a.startedAt > p.last) p.last = a.startedAt;
    per.set(a.subscriptionId, p);
  }
  const ids = [...per.keys()];
  const res = await pool.query<{ id: string; failing_since: Date | null; enabled: boolean }>(
    `UPDATE webhook_subscriptions s
        SET consecutive_failures = CASE WHEN u.ok THEN 0 ELSE s.consecutive_failures + u.failures END,
            failing_since = CASE WHEN u.ok THEN NULL ELSE coalesce(s.failing_since, u.first_failure) END,
            last_success_at = CASE WHEN u.ok THEN u.last ELSE s.last_success_at END,
            last_failure_at = CASE WHEN u.failures > 0 THEN u.last ELSE s.last_failure_at END
       FROM unnest($1::uuid[], $2::bool[], $3::int[], $4::timestamptz[], $5::timestamptz[]) AS u(id, ok, failures, first_failure, last)
      WHERE s.id = u.id
     RETURNING s.id::text, s.failing_since, s.enabled`,
    [
      ids,
      ids.map((id) => per.get(id)!.ok),
      ids.map((id) => per.get(id)!.failures),
      ids.map((id) => per.get(id)!.firstFailure),
      ids.map((id) => per.get(id)!.last),
    ],
  );
  return res.rows.map((r) => ({ id: r.id, failingSince: r.failing_since, enabled: r.enabled }));
}

/**
 * Disables a subscription, cancels its pending deliveries and writes the `error_log` entry that
 * tells the admin why, all in one statement (so one transaction: no reader ever sees a disabled
 * subscription without its reason, and a crash cannot lose the entry). Returns the entry's id, or
 * null when the subscription was already disabled (so the caller reports the transition once).
 */
export async function disableSubscription(pool: pg.Pool, id: string, reason: string): Promise<string | null> {
  const res = await pool.query<{ error_id: string | null }>(
    `WITH s AS (
       UPDATE webhook_subscriptions SET enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
        WHERE id = $1 AND enabled RETURNING id, name, url),
     c AS (
       UPDATE deliveries SET status = 'cancelled', last_error = 'subscription disabled: ' || $2, completed_at = now(),
                             locked_until = NULL, updated_at = now()
        WHERE subscription_id IN (SELECT id FROM s) AND status = 'pending' RETURNING 1),
     e AS (
       INSERT INTO error_log (severity, component, code, message, details)
       SELECT 'error', 'delivery', 'SUBSCRIPTION_DISABLED', format('webhook subscription "%s" disabled: %s', s.name, $2),
              jsonb_build_object('subscriptionId', s.id::text, 'url', s.url, 'reason', $2::text)
         FROM s RETURNING id)
     SELECT (SELECT id::text FROM e) AS error_id`,
    [id, reason],
  );
  return res.rows[0]?.error_id ?? null;
}
