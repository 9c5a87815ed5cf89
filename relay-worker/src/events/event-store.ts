import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { orderKeyOf, type NewEvent } from '@3cx-relay/events';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';

/** An event persisted in `events`, with its position in the log. */
export type StoredEvent = NewEvent & { sequence: bigint };

/** Runs inside the append transaction, after the insert; throwing rolls the whole append back. */
export type AppendHook = (client: pg.PoolClient, inserted: StoredEvent[]) => Promise<void>;

/** Channel NOTIFYed after each append, payload = the highest new sequence. */
export const NEW_EVENTS_CHANNEL = 'relay_new_events';

// Any constant distinct from other advisory locks of the relay: serialises appenders so
// sequences commit in order and a reader by `sequence > last` never skips a row.
const APPEND_LOCK_KEY = 0x3c0e7e57;

interface EventStoreEvents {
  appended: [events: StoredEvent[]];
}

/**
 * The normalized event log. `append` inserts in one transaction under an advisory lock, drops
 * ids that already exist (a reconnect or reconcile re-deriving the same transition), runs
 * every hook in that same transaction (the delivery outbox), NOTIFYs `relay_new_events` (sent
 * at COMMIT), commits, then emits `'appended'` with the rows actually inserted.
 */
export class EventStore extends EventEmitter<EventStoreEvents> {
  private readonly hooks: AppendHook[] = [];

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

  /** Appends events in order; returns only the newly inserted ones (duplicates by id are skipped). */
  async append(events: NewEvent[]): Promise<StoredEvent[]> {
    const unique = dedupeById(events);
    if (unique.length === 0) return [];
    const client = await this.pool.connect();
    let inserted: StoredEvent[];
    try {
      // One round trip for both (a constant key needs no parameter).
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY})`);
      inserted = [];
      // 10 parameters per row; PostgreSQL allows 65535 per statement.
      for (let i = 0; i < unique.length; i += 1000)
        inserted.push(...(await insertEvents(client, unique.slice(i, i + 1000))));
      if (inserted.length > 0) {
        for (const hook of this.hooks) await hook(client, inserted);
        // A NOTIFY inside the transaction goes out at COMMIT; sent with the COMMIT in one
        // round trip (a constant channel and a bigint: nothing to quote).
        const max = inserted[inserted.length - 1]!.sequence;
        await client.query(`SELECT pg_notify('${NEW_EVENTS_CHANNEL}', '${max}'); COMMIT`);
      } else await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    if (inserted.length === 0) return inserted;
    try {
      this.emit('appended', inserted);
    } catch (err) {
      this.log.error({ err: coerceError(err) }, "an 'appended' listener failed");
    }
    return inserted;
  }
}

function dedupeById(events: NewEvent[]): NewEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
}

/** One multi-row INSERT in the given order; RETURNING gives the rows that were new. */
async function insertEvents(client: pg.PoolClient, events: NewEvent[]): Promise<StoredEvent[]> {
  const values: unknown[] = [];
  const rows = events.map((e, i) => {
    values.push(
      e.id,
      e.type,
      e.occurredAt,
      e.callId ?? null,
      e.callHistoryId ?? null,
      e.extensions,
      e.dids,
      e.queues,
      e.departments ?? [],
      JSON.stringify(e.data),
      orderKeyOf(e),
    );
    const b = i * 11;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}::text[], $${b + 7}::text[], $${b + 8}::text[], $${b + 9}::text[], $${b + 10}::jsonb, $${b + 11})`;
  });
  // A multi-row VALUES list gets its BIGSERIAL values in list order.
  const res = await client.query<{ id: string; sequence: string }>({
    // The usual live append is one to a few events: those texts are prepared once per connection.
    name: events.length <= 4 ? `relay_insert_events_${events.length}` : undefined,
    text: `INSERT INTO events (id, type, occurred_at, call_id, call_history_id, extensions, dids, queues, departments, data, order_key)
     VALUES ${rows.join(', ')}
     ON CONFLICT (id) DO NOTHING
     RETURNING id, sequence`,
    values,
  });
  const seqById = new Map(res.rows.map((r) => [r.id, BigInt(r.sequence)]));
  return events
    .filter((e) => seqById.has(e.id))
    .map((e) => ({ ...e, sequence: seqById.get(e.id)! }))
    .sort((a, b) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0));
}
