import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { StatusBoard } from './status-board.js';

/**
 * Checks the relay's own database every `intervalMs` with `SELECT 1` and records its state and
 * latency as component `database`. Returns a stop function.
 */
export function startOwnDbProbe(
  db: Pick<pg.Pool, 'query'>,
  status: StatusBoard,
  log: Logger,
  intervalMs = 5000,
): () => void {
  let running = false;
  const probe = async () => {
    if (running) return;
    running = true;
    const started = performance.now();
    try {
      await db.query('SELECT 1');
      await status.set('database', {
        status: 'up',
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
      });
    } catch (err) {
      const e = coerceError(err);
      log.warn({ err: e }, 'own database unreachable');
      await status.set('database', { status: 'down', error: e.message });
    } finally {
      running = false;
    }
  };
  void probe();
  const timer = setInterval(() => void probe(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
