import os from 'node:os';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import { EVENTS_CHANNEL } from './status-board.js';

export interface HeartbeatOptions {
  instanceId: string;
  version: string;
  startedAt: Date;
  /** Refresh period in ms (default 5000). */
  everyMs?: number;
}

/**
 * The worker's row in `worker_heartbeats`: identity, `last_seen_at`, and `stats` (uptime plus
 * whatever other modules publish with {@link Heartbeat.setStat}, e.g. `wsClients`), upserted
 * every few seconds, each time followed by `NOTIFY relay_events '{"kind":"stats"}'` so an open
 * dashboard re-reads its figures (deliveries, API requests, WS clients, uptime) without a
 * reload. Failures are logged, never thrown.
 */
export class Heartbeat {
  private readonly stats = new Map<string, unknown>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly opts: HeartbeatOptions,
  ) {}

  /** Publishes a figure in the heartbeat's `stats` (JSON-serialisable); `undefined` removes it. */
  setStat(name: string, value: unknown): void {
    if (value === undefined) this.stats.delete(name);
    else this.stats.set(name, value);
  }

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.opts.everyMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beat();
  }

  /** Writes the row now. */
  async beat(): Promise<void> {
    const stats = {
      uptimeSeconds: Math.round((Date.now() - this.opts.startedAt.getTime()) / 1000),
      ...Object.fromEntries(this.stats),
    };
    try {
      await this.pool.query(
        `INSERT INTO worker_heartbeats (instance_id, hostname, pid, version, started_at, last_seen_at, stats)
         VALUES ($1, $2, $3, $4, $5, now(), $6::jsonb)
         ON CONFLICT (instance_id) DO UPDATE SET last_seen_at = now(), stats = EXCLUDED.stats, version = EXCLUDED.version`,
        [
          this.opts.instanceId,
          os.hostname(),
          process.pid,
          this.opts.version,
          this.opts.startedAt,
          JSON.stringify(stats),
        ],
      );
      await this.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, '{"kind":"stats"}']);
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, 'could not write heartbeat');
    }
  }
}
