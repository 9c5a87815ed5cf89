import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';

/** `source_cursors` row holding the newest event sequence ever pruned (`{"sequence":"<n>"}`). */
export const PRUNED_THROUGH_CURSOR = 'events.pruned_through';

/** The newest sequence pruned so far, or null when nothing was ever pruned. */
export async function prunedThrough(pool: pg.Pool): Promise<bigint | null> {
  const res = await pool.query<{ seq: string | null }>(
    `SELECT value->>'sequence' AS seq FROM source_cursors WHERE name = $1`,
    [PRUNED_THROUGH_CURSOR],
  );
  const seq = res.rows[0]?.seq;
  return seq ? BigInt(seq) : null;
}

/**
 * Deletes events older than the retention (their deliveries and attempts go with them by
 * cascade) and delivery statistics of the same age, in chunks so no statement holds locks for long. Events that still have a
 * pending delivery are kept until it completes. Records the newest pruned sequence, so a
 * resuming reader is told "history lost" only when events it needs were really deleted (the
 * sequence has gaps of its own: rolled-back appends use numbers too).
 */
export async function pruneEvents(pool: pg.Pool, retentionMs: number, chunk = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await pool.query<{ sequence: string }>(
      `DELETE FROM events WHERE sequence IN (
         SELECT e.sequence FROM events e
          WHERE e.created_at < now() - $1 * interval '1 millisecond'
            AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_sequence = e.sequence AND d.status = 'pending')
          ORDER BY e.sequence LIMIT $2)
       RETURNING sequence::text`,
      [retentionMs, chunk],
    );
    total += res.rowCount ?? 0;
    if (res.rows.length) {
      const newest = res.rows.reduce(
        (m, r: { sequence: string }) => (BigInt(r.sequence) > m ? BigInt(r.sequence) : m),
        0n,
      );
      await pool.query(
        `INSERT INTO source_cursors (name, value, updated_at) VALUES ($1, jsonb_build_object('sequence', $2::text), now())
         ON CONFLICT (name) DO UPDATE SET updated_at = now(),
           value = jsonb_build_object('sequence', GREATEST((source_cursors.value->>'sequence')::bigint, $2::bigint)::text)`,
        [PRUNED_THROUGH_CURSOR, newest.toString()],
      );
    }
    if ((res.rowCount ?? 0) < chunk) break;
  }
  // Hourly delivery statistics live as long as the events they count.
  await pool.query(`DELETE FROM delivery_stats WHERE bucket < now() - $1 * interval '1 millisecond'`, [
    retentionMs,
  ]);
  return total;
}

/** Runs {@link pruneEvents} now and every `everyMs`; returns a stop function. */
export function startEventPruner(
  pool: pg.Pool,
  log: Logger,
  retentionMs: number,
  everyMs = 3_600_000,
): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const n = await pruneEvents(pool, retentionMs);
      if (n)
        log.info({ deleted: n, retentionDays: retentionMs / 86_400_000 }, 'pruned events beyond retention');
    } catch (err) {
      log.warn({ err: coerceError(err) }, 'could not prune events');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void run(), 10_000);
  first.unref();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
