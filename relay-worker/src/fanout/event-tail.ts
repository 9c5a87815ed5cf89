import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { EventType } from '@3cx-relay/events';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import { NEW_EVENTS_CHANNEL, type EventStore, type StoredEvent } from '../events/event-store.js';

/** Columns of `events` as the fan-out reads them. */
export const EVENT_COLUMNS = `sequence::text, id, type, occurred_at, call_id, call_history_id, extensions, dids, queues, departments, data`;

export interface EventRow {
  sequence: string;
  id: string;
  type: string;
  occurred_at: Date;
  call_id: string | null;
  call_history_id: string | null;
  extensions: string[];
  dids: string[];
  queues: string[];
  /** NULL for events stored before the column existed. */
  departments: string[] | null;
  data: object;
}

/** A database row as a {@link StoredEvent}. */
export function rowToEvent(r: EventRow): StoredEvent {
  return {
    sequence: BigInt(r.sequence),
    id: r.id,
    type: r.type as EventType,
    occurredAt: r.occurred_at,
    callId: r.call_id,
    callHistoryId: r.call_history_id,
    extensions: r.extensions,
    dids: r.dids,
    queues: r.queues,
    departments: r.departments ?? [],
    data: r.data,
  };
}

/**
 * The live stream of new events for the fan-out, from two sources: the in-process event
 * store's `'appended'` (no database round trip: the hot path) and `LISTEN relay_new_events`
 * (events appended by another worker process), read from the table by `sequence > cursor`.
 * Each sequence is emitted once. Within one worker the order is the append order.
 */
export class EventTail extends EventEmitter<{
  events: [events: StoredEvent[]];
  /** Events another process appended (read from the table): the dispatcher may have their rows to claim. */
  foreign: [events: StoredEvent[]];
}> {
  private cursor = 0n;
  /** Highest sequence emitted so far (or found at start). */
  private newest = 0n;
  /** Sequences emitted from the in-process path that the database cursor has not passed yet. */
  private readonly emitted = new Set<bigint>();
  private client: pg.Client | undefined;
  private stopped = false;
  private catchingUp: Promise<void> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** NOTIFYs being handled, in arrival order. */
  private notices: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly databaseUrl: string,
    private readonly store: Pick<EventStore, 'on'> & Partial<Pick<EventStore, 'appendsInFlight'>>,
    private readonly log: Logger,
  ) {
    super();
    store.on('appended', (events) => this.fromProcess(events));
  }

  /**
   * The highest sequence handed to listeners (or in the table at start): every event up to it
   * that will ever be emitted from this process's appends has been.
   */
  get lastEmitted(): bigint {
    return this.newest;
  }

  /** The highest sequence in the table when the tail started or last caught up. */
  get position(): bigint {
    return this.cursor;
  }

  async start(): Promise<void> {
    const res = await this.pool.query<{ max: string | null }>(
      'SELECT max(sequence)::text AS max FROM events',
    );
    this.cursor = BigInt(res.rows[0]?.max ?? 0);
    this.newest = this.cursor;
    await this.listen();
  }

  /** Resolves when every NOTIFY so far is handled and no read runs (tests). */
  async settled(): Promise<void> {
    do {
      await this.notices;
      await this.catchingUp;
    } while (this.catchingUp);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
    await this.notices;
    await this.catchingUp;
  }

  private fromProcess(events: StoredEvent[]): void {
    const fresh = events.filter((e) => e.sequence > this.cursor && !this.emitted.has(e.sequence));
    if (fresh.length === 0) return;
    for (const e of fresh) this.emitted.add(e.sequence);
    this.safeEmit(fresh);
  }

  private safeEmit(events: StoredEvent[], name: 'events' | 'foreign' = 'events'): void {
    for (const e of events) if (e.sequence > this.newest) this.newest = e.sequence;
    try {
      this.emit(name, events);
    } catch (err) {
      this.log.error({ err: coerceError(err) }, 'fan-out listener failed');
    }
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: '3cx-relay-fanout',
    });
    const lost = (err?: Error) => {
      if (this.client !== client || this.stopped) return;
      this.client = undefined;
      this.log.warn({ err }, 'event tail lost its LISTEN connection');
      void client.end().catch(() => undefined);
      this.retryTimer = setTimeout(() => void this.listen(), 1000);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (m) => this.onNotify(m.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${NEW_EVENTS_CHANNEL}`);
      this.client = client;
      this.catchUp(); // whatever was appended while not listening
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, 'event tail could not LISTEN');
      await client.end().catch(() => undefined);
      this.retryTimer = setTimeout(() => void this.listen(), 1000);
    }
  }

  /**
   * A NOTIFY of an append whose highest sequence is `payload`. This process's own appends were
   * emitted already: their NOTIFY needs no read, only the cursor moves past them. Reading the
   * table for each own append cost a round trip per append (a third of the worker's queries at
   * 100 calls/s). NOTIFYs arrive in commit order, and appends commit in sequence order (the
   * append lock), so every other process's event below `payload` was announced earlier; they
   * are handled one after another, in that order, so the cursor never passes an unread one.
   */
  private onNotify(payload: string | undefined): void {
    this.notices = this.notices.then(() => this.notice(payload));
  }

  private async notice(payload: string | undefined): Promise<void> {
    let top: bigint;
    try {
      top = BigInt(payload ?? '');
    } catch {
      return this.catchUp();
    }
    if (top <= this.cursor) return;
    if (!this.emitted.has(top)) {
      // This process's own append may have committed without having answered yet (its answer
      // comes on another connection): wait for the appends in flight, then look again.
      const inFlight = this.store.appendsInFlight?.() ?? [];
      if (inFlight.length) await Promise.allSettled(inFlight);
      if (top <= this.cursor) return;
      if (!this.emitted.has(top)) return this.catchUp();
    }
    this.passOwn(top);
  }

  /** Moves the cursor past this process's own append up to `top`, unless a read is running. */
  private passOwn(top: bigint): void {
    if (this.catchingUp) return this.catchUp();
    this.cursor = top;
    for (const s of this.emitted) if (s <= top) this.emitted.delete(s);
  }

  /** Reads events past the cursor (one reader at a time; a request during a read runs again after it). */
  catchUp(): void {
    if (this.catchingUp) {
      this.again = true;
      return;
    }
    this.catchingUp = this.readNew()
      .catch((err) => this.log.warn({ err: coerceError(err) }, 'event tail could not read new events'))
      .finally(() => {
        this.catchingUp = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.catchUp();
        }
      });
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const seqs = await this.pool.query<{ sequence: string }>(
        'SELECT sequence::text FROM events WHERE sequence > $1 ORDER BY events.sequence LIMIT 1000',
        [this.cursor.toString()],
      );
      if (seqs.rows.length === 0) return;
      const missing = seqs.rows.map((r) => BigInt(r.sequence)).filter((s) => !this.emitted.has(s));
      if (missing.length) {
        const rows = await this.pool.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE sequence = ANY($1::bigint[]) ORDER BY events.sequence`,
          [missing.map(String)],
        );
        // The in-process path may have emitted some of them while the rows were read.
        const events = rows.rows.map(rowToEvent).filter((e) => !this.emitted.has(e.sequence));
        for (const e of events) this.emitted.add(e.sequence);
        if (events.length) {
          this.safeEmit(events);
          this.safeEmit(events, 'foreign');
        }
      }
      this.cursor = BigInt(seqs.rows[seqs.rows.length - 1]!.sequence);
      for (const s of this.emitted) if (s <= this.cursor) this.emitted.delete(s);
      if (seqs.rows.length < 1000) return;
    }
  }
}
