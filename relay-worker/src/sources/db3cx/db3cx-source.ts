import type pg from 'pg';
import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';
import type { EventStore } from '../../events/event-store.js';
import type { StatusBoard } from '../../status/status-board.js';
import { CdrCursorStore, type CdrCursor } from './cdr-cursor.js';
import { pollCdrs, type CdrPollerOptions } from './cdr-poller.js';
import { FlowRowCache } from './flow-row-cache.js';
import { appendPaced } from './paced-append.js';

export interface Db3cxSourceOptions extends CdrPollerOptions {
  /** Creates a fresh read-only pool on 3CX's database (called on start and on reconnect). */
  createPool: () => pg.Pool;
  /** The relay's own pool, for the cursor. */
  ownPool: pg.Pool;
  events: EventStore;
  status: StatusBoard;
  intervalMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

export { APPEND_CHUNK } from './paced-append.js';

/**
 * The 3CX database source. States: `connecting` (no successful poll yet) → `up` (each poll
 * succeeds; latency = query time) → `down` on a failure (error logged, retried with
 * exponential backoff) → `up` again. Polls run one at a time, at most one per
 * `intervalMs` (immediately again only while batches are full), append their events, then
 * store the cursor, so a crash between the two re-reads rows whose events are de-duplicated.
 * A failure of the relay's own database (cursor or event log) is not a 3CX fault: it is logged
 * as `CDR_STORE_FAILED` on `database` and retried the same way, and `db3cx` keeps its state, so
 * no one is told the PBX is down (no `relay.status_changed`) while only the relay's store is.
 */
export class Db3cxSource {
  private pool: pg.Pool | undefined;
  private cursor: CdrCursor | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failures = 0;
  private readonly cursors: CdrCursorStore;
  /** Rows of pending flows already read: a purge after the read does not lose their call.completed. */
  private readonly rowCache = new FlowRowCache();

  constructor(
    private readonly o: Db3cxSourceOptions,
    private readonly log: Logger,
  ) {
    this.cursors = new CdrCursorStore(o.ownPool, `db3cx:${o.table}`);
  }

  start(): void {
    this.stopped = false;
    this.pool = this.o.createPool();
    void this.o.status.set('db3cx', { status: 'connecting' }).then(() => this.schedule(0));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.pool?.end().catch(() => undefined);
    this.pool = undefined;
  }

  /** Drops the connections and polls again at once (control command `reconnect`). */
  async reconnect(): Promise<string> {
    clearTimeout(this.timer);
    await this.running;
    const old = this.pool;
    this.pool = this.o.createPool();
    await old?.end().catch(() => undefined);
    this.failures = 0;
    await this.o.status.set('db3cx', { status: 'connecting' });
    this.schedule(0);
    return 'db3cx reconnecting';
  }

  /** Runs one poll now (tests). */
  async pollOnce(): Promise<number> {
    await this.running;
    return this.poll();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => (this.running = undefined));
    }, ms);
  }

  private async tick(): Promise<void> {
    let next = this.o.intervalMs;
    try {
      const started = Date.now();
      await this.poll();
      this.failures = 0;
      next = Math.max(0, this.o.intervalMs - (Date.now() - started));
    } catch (err) {
      this.failures++;
      next = Math.min(this.o.reconnectMaxMs, this.o.reconnectBaseMs * 2 ** (this.failures - 1));
      if (err instanceof OwnStoreError) {
        await this.o.status.reportError(
          'database',
          'error',
          'CDR_STORE_FAILED',
          `storing events from ${this.o.table} in the relay's database failed (3CX was read fine; retried): ${err.message}`,
        );
      } else {
        const e = coerceError(err);
        await this.o.status.set('db3cx', { status: 'down', error: e.message });
        await this.o.status.reportError(
          'db3cx',
          'error',
          'CDR_QUERY_FAILED',
          `reading ${this.o.table} failed: ${e.message}`,
        );
      }
    }
    this.schedule(next);
  }

  private async poll(): Promise<number> {
    const pool = this.pool;
    if (!pool) return 0;
    this.cursor ??= (await ownStore(() => this.cursors.load())) ?? (await this.initialCursor(pool));
    const started = performance.now();
    const result = await pollCdrs(pool, this.cursor, { ...this.o, rowCache: this.rowCache });
    const latencyMs = Math.round(performance.now() - started);
    await ownStore(async () => {
      // In small appends, paced over up to half a poll interval: live events go first.
      await appendPaced((e) => this.o.events.append(e), result.events, {
        budgetMs: this.o.intervalMs / 2,
      });
      await this.cursors.save(result.cursor);
    });
    this.cursor = result.cursor;
    await this.o.status.set('db3cx', {
      status: 'up',
      latencyMs,
      details: { cursor: result.cursor.endedAt, pendingFlows: Object.keys(result.cursor.pending).length },
    });
    if (result.more) this.log.debug({ events: result.events.length }, 'CDR batch full, more to read');
    return result.events.length;
  }

  /** First run: start at the PBX database's clock (history before the relay is not replayed). */
  private async initialCursor(pool: pg.Pool): Promise<CdrCursor> {
    const res = await pool.query<{ key: string }>(
      `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key`,
    );
    this.log.info({ from: res.rows[0]!.key }, 'no CDR cursor yet: starting at the current time');
    return { endedAt: res.rows[0]!.key, seen: [], pending: {} };
  }
}

/** A failure of the relay's own database while the source stored what it read from 3CX. */
class OwnStoreError extends Error {
  constructor(cause: unknown) {
    super(coerceError(cause).message, { cause });
    this.name = 'OwnStoreError';
  }
}

/** Runs a read or write on the relay's own database, marking its failure as {@link OwnStoreError}. */
async function ownStore<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new OwnStoreError(err);
  }
}
