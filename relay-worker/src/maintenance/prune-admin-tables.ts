import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';

/** How long sign-in counters and quotas are kept after their last change (the longest window is 1 h). */
export const RATE_LIMIT_KEEP_MS = 2 * 3_600_000;

/** Rows removed by one {@link pruneAdminTables} pass, per table. */
export interface PrunedAdminRows {
  rateLimits: number;
  auditLog: number;
  sessions: number;
}

/**
 * Deletes what the admin panel no longer needs, so floods of sign-in attempts cannot grow the
 * database without bound: `rate_limits` rows untouched for {@link RATE_LIMIT_KEEP_MS} whose block
 * is over, `audit_log` entries older than the retention, and `admin_sessions` that expired or
 * were revoked more than a day ago. Chunked, so no statement holds locks for long.
 */
export async function pruneAdminTables(
  pool: pg.Pool,
  auditRetentionMs: number,
  chunk = 5000,
): Promise<PrunedAdminRows> {
  const sweep = async (sql: string, params: unknown[]) => {
    let total = 0;
    for (;;) {
      const n = (await pool.query(sql, [...params, chunk])).rowCount ?? 0;
      total += n;
      if (n < chunk) return total;
    }
  };
  return {
    rateLimits: await sweep(
      `DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits
         WHERE updated_at < now() - $1 * interval '1 millisecond'
           AND (blocked_until IS NULL OR blocked_until < now()) LIMIT $2)`,
      [RATE_LIMIT_KEEP_MS],
    ),
    auditLog: await sweep(
      `DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log
         WHERE at < now() - $1 * interval '1 millisecond' ORDER BY id LIMIT $2)`,
      [auditRetentionMs],
    ),
    sessions: await sweep(
      `DELETE FROM admin_sessions WHERE id IN (SELECT id FROM admin_sessions
         WHERE expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day' LIMIT $1)`,
      [],
    ),
  };
}

/** Runs {@link pruneAdminTables} a minute after start and then every `everyMs`; returns a stop function. */
export function startAdminTablePruner(
  pool: pg.Pool,
  log: Logger,
  auditRetentionMs: number,
  everyMs = 3_600_000,
): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const n = await pruneAdminTables(pool, auditRetentionMs);
      if (n.rateLimits + n.auditLog + n.sessions) log.info({ deleted: n }, 'pruned admin tables');
    } catch (err) {
      log.warn({ err: coerceError(err) }, 'could not prune admin tables');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void run(), 60_000);
  first.unref();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
