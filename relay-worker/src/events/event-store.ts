import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { orderKeyOf, type NewEvent } from '@3cx-relay/events';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import {
  APPEND_SQL,
  APPEND_STATEMENT,
  DIRECT_ONLY_TYPES,
  type LeasedRow,
  type OutboxFastPath,
} from '../delivery/outbox.js';
import { NEW_EVENTS_CHANNEL } from './new-events-channel.js';
import { sqlLiteral } from '../db/sql-literal.js';

export { NEW_EVENTS_CHANNEL };

/** An event persisted in `events`, with its position in the log. */
export type StoredEvent = NewEvent & { sequence: bigint };

/**
 * Runs inside the append transaction, after the insert; throwing rolls the whole append back.
 * `types`: the event types it acts on (absent: every type); an append with none of them
 * commits in the same round trip as its insert.
 */
export type AppendHook = ((client: pg.PoolClient, inserted: StoredEvent[]) => Promise<void>) & {
  readonly types?: ReadonlySet<string>;
};

// Any constant distinct from other advisory locks of the relay: serialises appenders so
// sequences commit in order and a reader by `sequence > last` never skips a row.
const APPEND_LOCK_KEY = 0x3c0e7e57;

/** At most this many events per statement (one JSON parameter each; a longer append takes several). */
const EVENTS_PER_STATEMENT = 1000;

interface EventStoreEvents {
  appended: [events: StoredEvent[]];
}

/** The one row of {@link APPEND_SQL}. */
interface AppendRow {
  events: { id: string; sequence: string }[];
  leased: (LeasedRow & { leased: boolean })[];
  unleased: number;
}

/**
 * The normalized event log. `append` inserts in one transaction under an advisory lock, drops
 * ids that already exist (a reconnect or reconcile re-deriving the same transition), inserts
 * the outbox's deliveries ({@link useOutbox}) and NOTIFYs `relay_new_events` in that same
 * statement, runs the hooks that want any of the events in that same transaction, commits,
 * then emits `'appended'` with the rows actually inserted.
 *
 * The usual append (no hook wanted) is one round trip to PostgreSQL: `BEGIN`, the lock, the
 * prepared statement and `COMMIT` as one simple query. It was four (begin and lock, insert,
 * outbox, commit), each of them waiting for a core on a busy PBX, with the lock held across
 * three of them, so every other appender waited for those too.
 */
export class EventStore extends EventEmitter<EventStoreEvents> {
  private readonly hooks: AppendHook[] = [];
  private outbox: { fastPath: OutboxFastPath | undefined } | undefined;
  /**
   * Settles when the last append called so far has (appends run one after another, so every
   * earlier one has too): the next one starts after it ({@link append}).
   */
  private queue: Promise<void> = Promise.resolve();
  /** Appends called and not settled yet. */
  private unsettled = 0;
  /** Of those, the ones not started yet. */
  private waiting = 0;
  /** Connections on which {@link APPEND_STATEMENT} is prepared. */
  private readonly prepared = new WeakSet<pg.ClientBase>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Registers a hook run inside every append transaction with the inserted events. */
  addHook(hook: AppendHook): void {
    this.hooks.push(hook);
  }

  /**
   * From now on every append also inserts one `deliveries` row per matching subscription (the
   * durable outbox: event and deliveries commit together or not at all), leased to `fastPath`
   * while it has room.
   */
  useOutbox(fastPath?: OutboxFastPath): void {
    this.outbox = { fastPath };
  }

  /**
   * Appends events in order; returns only the newly inserted ones (duplicates by id are skipped).
   *
   * One append of this process at a time, in call order, so that `'appended'` follows commit
   * order, which the fan-out relies on (it hands these events to clients as they come). Two
   * appends in flight on two connections did not: PostgreSQL releases the append lock inside
   * the first one's commit, before it answers, so on a loaded machine the second append
   * committed and answered first, and a WebSocket client got event 63 before 54–62 (event
   * tail trace, `snapshot-stream.test.ts` under load, 2026-12-06). Waiting here instead of at
   * the lock costs a contended append one round trip to PostgreSQL.
   */
  append(events: NewEvent[]): Promise<StoredEvent[]> {
    this.waiting++;
    this.unsettled++;
    const run = this.queue.then(() => {
      this.waiting--;
      return this.appendNow(events);
    });
    this.queue = run.then(
      () => void this.unsettled--,
      () => void this.unsettled--,
    );
    return run;
  }

  /** Appends waiting for an earlier one of this process to finish ({@link append}). */
  get appendsWaiting(): number {
    return this.waiting;
  }

  /**
   * The appends of this process still running, as one promise that settles when the last of
   * them has (each after its `'appended'` was emitted, or after it failed); none: an empty list.
   * A NOTIFY for a sequence not yet emitted may be one of them.
   */
  appendsInFlight(): Promise<void>[] {
    return this.unsettled ? [this.queue] : [];
  }

  private async appendNow(events: NewEvent[]): Promise<StoredEvent[]> {
    const unique = dedupeById(events);
    if (unique.length === 0) return [];
    const hooks = this.hooks.filter((h) => !h.types || unique.some((e) => h.types!.has(e.type)));
    const fastPath = this.outbox?.fastPath;
    const client = await this.pool.connect();
    let inserted: StoredEvent[] = [];
    let leased: LeasedRow[] = [];
    let unleased = 0;
    let since = 0; // before the statement that leased them: no later than their lease's start
    let open = false; // a transaction this append began is still open
    try {
      await this.prepare(client);
      for (let i = 0; i < unique.length; i += EVENTS_PER_STATEMENT) {
        const chunk = unique.slice(i, i + EVENTS_PER_STATEMENT);
        const last = i + EVENTS_PER_STATEMENT >= unique.length;
        const lease = this.outbox ? (fastPath?.leaseMsIfCapacity() ?? null) : null;
        const execute = `EXECUTE ${APPEND_STATEMENT}(${[
          sqlLiteral(appendJson(chunk)),
          sqlLiteral(pgArray(DIRECT_ONLY_TYPES)),
          lease ? sqlNumber(lease.leaseMs) : 'NULL',
          sqlLiteral(pgArray(lease?.skipSubscriptions ?? [])),
          sqlLiteral(fastPath?.instanceId ?? ''),
          this.outbox ? 'true' : 'false',
        ].join(', ')})`;
        // A constant lock key and literals escaped as pg escapes them: one simple query, one round trip.
        const text = [
          ...(open ? [] : ['BEGIN', `SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY})`]),
          execute,
          ...(last && hooks.length === 0 ? ['COMMIT'] : []),
        ].join('; ');
        open = true;
        if (!since) since = Date.now();
        const results = (await client.query(text)) as unknown as pg.QueryResult[] | pg.QueryResult;
        const list = Array.isArray(results) ? results : [results];
        const row = list.find((r) => r.fields.some((f) => f.name === 'leased'))?.rows[0] as
          AppendRow | undefined;
        if (!row) throw new Error('append: the statement returned no row');
        const seqById = new Map(row.events.map((r) => [r.id, BigInt(r.sequence)]));
        for (const e of chunk) {
          const sequence = seqById.get(e.id);
          if (sequence !== undefined) inserted.push({ ...e, sequence });
        }
        if (lease) {
          leased.push(...row.leased);
          unleased += row.unleased;
        }
        if (last && hooks.length === 0) open = false;
      }
      if (open) {
        if (inserted.length > 0) for (const hook of hooks) await hook(client, inserted);
        await client.query('COMMIT');
        open = false;
      }
    } catch (err) {
      // Inside a transaction (open, or aborted by the error): end it before the connection goes back.
      if (client.getTransactionStatus() !== 'I') await client.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code === '26000') this.prepared.delete(client); // statement gone
      inserted = [];
      leased = [];
      unleased = 0;
      throw err;
    } finally {
      client.release();
    }
    if (inserted.length === 0) return inserted;
    inserted.sort((a, b) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0));
    // After the commit, before 'appended' (which sends them): the dispatcher's stash.
    if (leased.length || unleased) fastPath!.leased(leased, unleased, since);
    try {
      this.emit('appended', inserted);
    } catch (err) {
      this.log.error({ err: coerceError(err) }, "an 'appended' listener failed");
    }
    return inserted;
  }

  /** Prepares the append statement once per connection (one extra round trip, the first time). */
  private async prepare(client: pg.PoolClient): Promise<void> {
    if (this.prepared.has(client)) return;
    try {
      await client.query(
        `PREPARE ${APPEND_STATEMENT}(jsonb, text[], float8, uuid[], text, boolean) AS ${APPEND_SQL}`,
      );
    } catch (err) {
      if ((err as { code?: string }).code !== '42P05') throw err; // 42P05: already prepared
    }
    this.prepared.add(client);
  }
}

function dedupeById(events: NewEvent[]): NewEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
}

/** The events as the JSON array {@link APPEND_SQL} reads (`$1`), in list order. */
function appendJson(events: NewEvent[]): string {
  return JSON.stringify(
    events.map((e) => ({
      id: e.id,
      type: e.type,
      occurredAt: e.occurredAt,
      callId: e.callId ?? null,
      callHistoryId: e.callHistoryId ?? null,
      extensions: e.extensions,
      dids: e.dids,
      queues: e.queues,
      departments: e.departments ?? [],
      data: e.data,
      orderKey: orderKeyOf(e),
    })),
  );
}

/** A PostgreSQL array literal of strings: each element double-quoted, its `"` and `\` escaped. */
function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function sqlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`append: not a finite number: ${n}`);
  return String(n);
}
