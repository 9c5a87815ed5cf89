import type pg from 'pg';
import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';

/** Deletes `agent_state_history` rows older than `retentionMs`, in chunks; returns how many. */
export async function pruneAgentHistory(pool: pg.Pool, retentionMs: number, chunk = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const n =
      (
        await pool.query(
          `DELETE FROM agent_state_history WHERE id IN (SELECT id FROM agent_state_history
             WHERE occurred_at < now() - $1 * interval '1 millisecond' ORDER BY id LIMIT $2)`,
          [retentionMs, chunk],
        )
      ).rowCount ?? 0;
    total += n;
    if (n < chunk) return total;
  }
}

/** Prunes a minute after start, then hourly; returns a stop function. */
export function startAgentHistoryPruner(pool: pg.Pool, log: Logger, retentionMs: number): () => void {
  const run = () =>
    pruneAgentHistory(pool, retentionMs)
      .then((n) => n && log.info({ deleted: n }, 'pruned agent state history'))
      .catch((err: unknown) => log.warn({ err: coerceError(err) }, 'could not prune agent state history'));
  const first = setTimeout(() => void run(), 60_000);
  const timer = setInterval(() => void run(), 3_600_000);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
