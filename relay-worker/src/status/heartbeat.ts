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
  /**
   * Called once per other worker found beating against the same database after this one
   * started (each new one once; a crashed or stopped predecessor never counts).
   */
  onOtherWorker?: (other: OtherWorker) => void;
}

/** Another relay-worker process that shares this worker's database. */
export interface OtherWorker {
  instanceId: string;
  hostname: string;
  pid: number;
  version: string;
  /** Its `pbxApiClient` stat: which 3CX API client it reads with, if any. */
  pbxApiClient: string | null;
}

/**
 * The worker's row in `worker_heartbeats`: identity, `last_seen_at`, and `stats` (uptime plus
 * whatever other modules publish with {@link Heartbeat.setStat}, e.g. `wsClients`), upserted
 * every few seconds, each time followed by `NOTIFY relay_events '{"kind":"stats"}'` so an open
 * dashboard re-reads its figures (deliveries, API requests, WS clients, uptime) without a
 * reload. Failures are logged, never thrown.
 *
 * It also watches for another worker on the same database: rows of other instances that beat
 * after this one's first beat (database clock) belong to a process running now, so a crashed or
 * stopped predecessor, whose last beat came before, is never mistaken for one.
 */
export class Heartbeat {
  private readonly stats = new Map<string, unknown>();
  private timer: NodeJS.Timeout | undefined;
  /** The database's time of our first beat, as text (microseconds: a JS Date would cut them). */
  private firstBeatAt: string | undefined;
  private readonly othersSeen = new Set<string>();

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
      const res = await this.pool.query<{ at: string }>(
        `INSERT INTO worker_heartbeats (instance_id, hostname, pid, version, started_at, last_seen_at, stats)
         VALUES ($1, $2, $3, $4, $5, now(), $6::jsonb)
         ON CONFLICT (instance_id) DO UPDATE SET last_seen_at = now(), stats = EXCLUDED.stats, version = EXCLUDED.version
         RETURNING last_seen_at::text AS at`,
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
      this.firstBeatAt ??= res.rows[0]?.at;
      if (this.opts.onOtherWorker && this.firstBeatAt) await this.lookForOthers(this.firstBeatAt);
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, 'could not write heartbeat');
    }
  }

  private async lookForOthers(since: string): Promise<void> {
    const { rows } = await this.pool.query<OtherWorker>(
      `SELECT instance_id AS "instanceId", hostname, pid, version, stats->>'pbxApiClient' AS "pbxApiClient"
         FROM worker_heartbeats
        WHERE instance_id <> $1 AND last_seen_at > $2::timestamptz ORDER BY instance_id LIMIT 20`,
      [this.opts.instanceId, since],
    );
    for (const other of rows) {
      if (this.othersSeen.has(other.instanceId)) continue;
      this.othersSeen.add(other.instanceId);
      this.opts.onOtherWorker?.(other);
    }
  }
}
