import type pg from 'pg';
import type { ActiveCall } from '@3cx-relay/events';
import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';
import { EVENTS_CHANNEL } from '../../status/status-board.js';

export interface WallboardPublisherOptions {
  /** The relay's own database. */
  pool: pg.Pool;
  /** The calls in progress (live state). */
  calls: () => ActiveCall[];
  /** Check for changes this often, ms (1000). */
  everyMs: number;
  /** Rewrite an unchanged snapshot this often, ms, so the panel can tell a live one from a stale one. */
  refreshMs: number;
}

/**
 * Publishes what the admin's wallboard shows and the panel cannot get from the database
 * otherwise (it never talks to the worker directly): the calls in progress, as
 * `live_snapshots` row `calls` ({calls, publishedAt}), at most once per `everyMs` and only when
 * they changed (or every `refreshMs`), then `NOTIFY relay_events {"kind":"wallboard"}`. Agent
 * and queue state are in their own tables; {@link touch} sends the NOTIFY for them.
 */
export class WallboardPublisher {
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private lastWriteAt = 0;
  private dirty = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly o: WallboardPublisherOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.publish().finally(() => (this.running = undefined));
    }, this.o.everyMs);
    this.running = this.publish().finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Agent or queue state changed: tell the panel at the next tick. */
  touch(): void {
    this.dirty = true;
  }

  private async publish(): Promise<void> {
    const calls = JSON.stringify(this.o.calls());
    const write = calls !== this.last || Date.now() - this.lastWriteAt >= this.o.refreshMs;
    if (!write && !this.dirty) return;
    try {
      if (write)
        await this.o.pool.query(
          `INSERT INTO live_snapshots (name, value, updated_at) VALUES ('calls', $1::jsonb, now())
           ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          [`{"calls":${calls},"publishedAt":${JSON.stringify(new Date().toISOString())}}`],
        );
      if (calls !== this.last || this.dirty)
        await this.o.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, '{"kind":"wallboard"}']);
      this.last = calls;
      this.dirty = false;
      if (write) this.lastWriteAt = Date.now();
    } catch (err) {
      this.log.debug({ err: coerceError(err) }, 'could not publish the wallboard snapshot');
    }
  }
}
