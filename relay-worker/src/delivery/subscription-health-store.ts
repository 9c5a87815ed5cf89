import type pg from 'pg';
import type { AttemptRecord } from './record-attempts.js';

/** Per-subscription health after a batch, with the failing-notification transition it caused. */
export interface SubscriptionHealth {
  id: string;
  failingSince: Date | null;
  enabled: boolean;
  consecutiveFailures: number;
  /** This write started the notified state (`subscription.failing` is due). */
  becameFailing: boolean;
  /** This write ended a notified failure run (`subscription.recovered` is due); its start. */
  recoveredFrom: Date | null;
}

interface Per {
  ok: boolean;
  failures: number;
  firstFailure: Date | null;
  last: Date;
}

/**
 * Updates the health counters (consecutive failures, failing since, last success/failure) of
 * the subscriptions in `batch` in one statement and returns their state. The failing
 * notification is claimed in the same statement under the row lock: a run that has lasted
 * `failingAfterMs` gets `failing_notified_at` once, and a success clears it, so with several
 * workers each transition is reported by exactly one of them.
 */
export async function updateSubscriptionHealth(
  pool: pg.Pool,
  batch: AttemptRecord[],
  failingAfterMs: number,
): Promise<SubscriptionHealth[]> {
  if (batch.length === 0) return [];
  const per = new Map<string, Per>();
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
  // FOR NO KEY UPDATE, like a plain UPDATE: it must not conflict with the FOR KEY SHARE that
  // every delivery insert takes on its subscription (a FOR UPDATE here deadlocked appends).
  const res = await pool.query<{
    id: string;
    failing_since: Date | null;
    enabled: boolean;
    consecutive_failures: number;
    notified: Date | null;
    was_notified: Date | null;
    was_failing_since: Date | null;
  }>(
    `WITH u AS (
       SELECT * FROM unnest($1::uuid[], $2::bool[], $3::int[], $4::timestamptz[], $5::timestamptz[])
         AS u(id, ok, failures, first_failure, last)),
     o AS (
       SELECT s.id, s.failing_notified_at AS was_notified, s.failing_since AS was_failing_since
         FROM webhook_subscriptions s JOIN u ON u.id = s.id FOR NO KEY UPDATE OF s)
     UPDATE webhook_subscriptions s
        SET consecutive_failures = CASE WHEN u.ok THEN 0 ELSE s.consecutive_failures + u.failures END,
            failing_since = CASE WHEN u.ok THEN NULL ELSE coalesce(s.failing_since, u.first_failure) END,
            last_success_at = CASE WHEN u.ok THEN u.last ELSE s.last_success_at END,
            last_failure_at = CASE WHEN u.failures > 0 THEN u.last ELSE s.last_failure_at END,
            failing_notified_at = CASE
              WHEN u.ok THEN NULL
              WHEN s.failing_notified_at IS NULL
               AND coalesce(s.failing_since, u.first_failure) <= now() - $6 * interval '1 millisecond' THEN now()
              ELSE s.failing_notified_at END
       FROM u, o
      WHERE s.id = u.id AND o.id = u.id
     RETURNING s.id::text, s.failing_since, s.enabled, s.consecutive_failures, s.failing_notified_at AS notified,
               o.was_notified, o.was_failing_since`,
    [
      ids,
      ids.map((id) => per.get(id)!.ok),
      ids.map((id) => per.get(id)!.failures),
      ids.map((id) => per.get(id)!.firstFailure),
      ids.map((id) => per.get(id)!.last),
      failingAfterMs,
    ],
  );
  return res.rows.map((r) => ({
    id: r.id,
    failingSince: r.failing_since,
    enabled: r.enabled,
    consecutiveFailures: r.consecutive_failures,
    becameFailing: r.notified !== null && r.was_notified === null,
    recoveredFrom:
      r.notified === null && r.was_notified !== null ? (r.was_failing_since ?? r.was_notified) : null,
  }));
}

/**
 * Disables a subscription, cancels its pending deliveries and writes the `error_log` entry that
 * tells the admin why, all in one statement (so one transaction: no reader ever sees a disabled
 * subscription without its reason, and a crash cannot lose the entry). Returns the entry's id,
 * when it was disabled and the failure run it ended, or null when it already was disabled (so the
 * caller reports the transition once).
 */
export async function disableSubscription(
  pool: pg.Pool,
  id: string,
  reason: string,
): Promise<{ errorId: string; at: Date; failingSince: Date | null } | null> {
  const res = await pool.query<{ error_id: string; at: Date; failing_since: Date | null }>(
    `WITH s AS (
       UPDATE webhook_subscriptions SET enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
        WHERE id = $1 AND enabled RETURNING id, name, url, disabled_at, failing_since),
     c AS (
       UPDATE deliveries SET status = 'cancelled', last_error = 'subscription disabled: ' || $2, completed_at = now(),
                             locked_until = NULL, locked_by = NULL, updated_at = now()
        WHERE subscription_id IN (SELECT id FROM s) AND status = 'pending' RETURNING 1),
     e AS (
       INSERT INTO error_log (severity, component, code, message, details)
       SELECT 'error', 'delivery', 'SUBSCRIPTION_DISABLED', format('webhook subscription "%s" disabled: %s', s.name, $2),
              jsonb_build_object('subscriptionId', s.id::text, 'url', s.url, 'reason', $2::text)
         FROM s RETURNING id)
     SELECT (SELECT id::text FROM e) AS error_id, s.disabled_at AS at, s.failing_since FROM s`,
    [id, reason],
  );
  const row = res.rows[0];
  return row ? { errorId: row.error_id, at: row.at, failingSince: row.failing_since } : null;
}
