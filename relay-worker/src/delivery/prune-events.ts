import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';

/**
 * Deletes events older than the retention (their deliveries and attempts go with them by
 * cascade), in chunks so no statement holds locks for long. Events that still have a
 * pending delivery are kept until it completes.
 */
export async function pruneEvents(pool: pg.Pool, retentionMs: number, chunk = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await pool.query(
      `DELETE FROM events WHERE sequence IN (
         SELECT e.sequence FROM events e
          WHERE e.created_at < now() - $1 * interval '1 millisecond'
            AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_sequence = e.sequence AND d.status = 'pending')
          ORDER BY e.sequence LIMIT $2)`,
      [retentionMs, chunk],
    );
    total += res.rowCount ?? 0;
    if ((res.rowCount ?? 0) < chunk) return total;
  }
}

/** Runs {@link pruneEvents} now and every `everyMs`; returns a stop function. */
export function startEventPruner(pool: pg.Pool, log: Logger, retentionMs: number, everyMs = 3_600_000): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const n = await pruneEvents(pool, retentionMs);
      if (n) log.info({ deleted: n, retentionDays: retentionMs / 86_400_000 }, 'pruned events beyond retention');
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
