import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { eventId, type NewEvent } from '@3cx-relay/events';
import { EventStore, NEW_EVENTS_CHANNEL, type StoredEvent } from '../../src/events/event-store.js';
import { RelayMetrics } from '../../src/stats/relay-metrics.js';
import { until } from '../sources/sim-harness.js';

const ev = (n: number): NewEvent => ({
  id: eventId('relay.test', 'store', String(n)),
  type: 'relay.test',
  occurredAt: new Date(),
  extensions: ['101'],
  dids: [],
  queues: [],
  data: { message: `m${n}`, subscriptionId: null },
});

describe('EventStore', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let store: EventStore;
  beforeAll(async () => {
    t = await createTestDatabase('evstore');
    pool = new pg.Pool({ connectionString: t.url, max: 6 });
    store = new EventStore(pool, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await pool.end();
    await t.drop();
  });

  it('appends in order with growing sequences and skips ids that already exist', async () => {
    const first = await store.append([ev(1), ev(2)]);
    expect(first.map((e) => e.id)).toEqual([ev(1).id, ev(2).id]);
    expect(first[1]!.sequence).toBeGreaterThan(first[0]!.sequence);
    const again = await store.append([ev(2), ev(3), ev(3)]);
    expect(again.map((e) => e.id)).toEqual([ev(3).id]);
    const rows = await pool.query('SELECT id FROM events ORDER BY sequence');
    expect(rows.rows.map((r) => r.id)).toEqual([ev(1).id, ev(2).id, ev(3).id]);
  });

  it('runs hooks in the same transaction: a failing hook rolls the append back', async () => {
    const seen: StoredEvent[][] = [];
    const s = new EventStore(pool, pino({ level: 'silent' }));
    s.addHook(async (client, inserted) => {
      seen.push(inserted);
      const r = await client.query('SELECT count(*)::int AS n FROM events WHERE id = $1', [inserted[0]!.id]);
      expect(r.rows[0].n).toBe(1); // visible inside the transaction
      if (inserted[0]!.id === ev(11).id) throw new Error('hook failed');
    });
    await s.append([ev(10)]);
    await expect(s.append([ev(11)])).rejects.toThrow('hook failed');
    const r = await pool.query('SELECT id FROM events WHERE id = ANY($1)', [[ev(10).id, ev(11).id]]);
    expect(r.rows.map((x) => x.id)).toEqual([ev(10).id]);
    expect(seen).toHaveLength(2);
  });

  it('NOTIFYs the highest new sequence after commit and emits appended', async () => {
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    await listener.query(`LISTEN ${NEW_EVENTS_CHANNEL}`);
    const payload = new Promise<string>((resolve) =>
      listener.on('notification', (m) => resolve(m.payload ?? '')),
    );
    const emitted = new Promise<StoredEvent[]>((resolve) => store.once('appended', resolve));
    const inserted = await store.append([ev(20), ev(21)]);
    expect(await payload).toBe(String(inserted[1]!.sequence));
    expect((await emitted).map((e) => e.id)).toEqual([ev(20).id, ev(21).id]);
    await listener.end();
  });

  it('makes sequences visible in order under concurrent appends (a reader by sequence never skips)', async () => {
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 5 }, (_, i) => ev(100 + b * 5 + i)),
    );
    let last = 0n;
    const seen = new Set<bigint>();
    const read = async () => {
      const r = await pool.query<{ sequence: string }>(
        'SELECT sequence FROM events WHERE sequence > $1 ORDER BY sequence',
        [String(last)],
      );
      for (const row of r.rows) {
        last = BigInt(row.sequence);
        seen.add(last);
      }
    };
    await read();
    const before = new Set(seen);
    let reading = true;
    const reader = (async () => {
      while (reading) await read();
    })();
    await Promise.all(batches.map((b) => store.append(b)));
    reading = false;
    await reader;
    await read();
    const all = await pool.query<{ sequence: string }>('SELECT sequence FROM events ORDER BY sequence');
    const seqs = all.rows.map((r) => BigInt(r.sequence));
    // Every row is seen by a reader that only asks for sequence > last: none committed "behind" it.
    expect(seqs.filter((x) => !seen.has(x) && !before.has(x))).toEqual([]);
    expect(seqs.length).toBe(3 + 1 + 2 + 40);
  });

  it("runs this process's appends one at a time, so 'appended' follows commit order (a second append waits in the store, not at PostgreSQL's lock)", async () => {
    // PostgreSQL releases the append lock inside a commit, before it answers: a second append
    // waiting at the lock could commit and answer first, and its 'appended' overtook the first's.
    const s = new EventStore(pool, pino({ level: 'silent' }));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let entered = false;
    s.addHook(
      Object.assign(
        async (_c: pg.PoolClient, inserted: StoredEvent[]) => {
          if (inserted[0]!.id !== ev(300).id) return;
          entered = true;
          await gate; // the first append holds its transaction, and the lock, open
        },
        { types: new Set(['relay.test']) },
      ),
    );
    const order: bigint[][] = [];
    s.on('appended', (events) => order.push(events.map((e) => e.sequence)));
    const first = s.append([ev(300), ev(301)]);
    await until(() => entered, 10_000, 'first append inside its hook');
    const second = s.append([ev(302)]);
    const lockWaiters = async () =>
      (
        await pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        )
      ).rows[0]!.n;
    // Either the second append waits in the store or its query waits at the lock: see which.
    await until(
      async () => s.appendsWaiting > 0 || (await lockWaiters()) > 0,
      10_000,
      'second append waiting',
    );
    expect(await lockWaiters()).toBe(0);
    expect(s.appendsWaiting).toBe(1);
    const metrics = new RelayMetrics();
    metrics.watchAppends(s);
    const gauge = async () =>
      (await metrics.registry.getSingleMetric('relay_event_appends_waiting')!.get()).values;
    expect(await gauge()).toEqual([expect.objectContaining({ value: 1 })]);
    open();
    const [a, b] = await Promise.all([first, second]);
    expect(order).toEqual([a.map((e) => e.sequence), b.map((e) => e.sequence)]);
    expect(b[0]!.sequence).toBeGreaterThan(a[1]!.sequence);
    expect(s.appendsWaiting).toBe(0);
    expect(await gauge()).toEqual([expect.objectContaining({ value: 0 })]);
  });

  it('stores hostile text exactly: quotes, backslashes, dollar quotes, braces and commas in arrays, emoji', async () => {
    const nasty = `it's \\ "quoted" $$ $x$ '); DROP TABLE events; -- {a,b} \u00e9 😀`;
    const e: NewEvent = {
      ...ev(300),
      id: `${ev(300).id}-'"\\`,
      extensions: [nasty, '{1,2}', 'a,b', '"', '\\', 'NULL'],
      dids: ["'"],
      queues: ['}'],
      departments: ['{', ''],
      data: { message: nasty, subscriptionId: null },
    };
    const [stored] = await store.append([e]);
    expect(stored!.id).toBe(e.id);
    const r = await pool.query(
      'SELECT id, extensions, dids, queues, departments, data FROM events WHERE sequence = $1',
      [String(stored!.sequence)],
    );
    expect(r.rows[0]).toEqual({
      id: e.id,
      extensions: e.extensions,
      dids: e.dids,
      queues: e.queues,
      departments: e.departments,
      data: e.data,
    });
  });

  it('appends in one round trip unless a hook wants one of the events', async () => {
    let queries = 0;
    const patched = new WeakSet<object>();
    const counting = {
      connect: async () => {
        const c = await pool.connect();
        if (!patched.has(c)) {
          patched.add(c);
          const q = c.query.bind(c) as (...a: unknown[]) => unknown;
          (c as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
            queries++;
            return q(...a);
          };
        }
        return c;
      },
    } as unknown as pg.Pool;
    const s = new EventStore(counting, pino({ level: 'silent' }));
    const hooked: string[] = [];
    s.addHook(
      Object.assign(
        (_c: pg.PoolClient, inserted: StoredEvent[]) => {
          hooked.push(...inserted.map((e) => e.id));
          return Promise.resolve();
        },
        { types: new Set(['call.ringing']) },
      ),
    );
    await s.append([ev(400)]); // prepares the statement on this connection
    queries = 0;
    for (let i = 401; i <= 405; i++) await s.append([ev(i), ev(i + 100)]);
    expect(queries).toBe(5);
    expect(hooked).toEqual([]);
    const ringing = { ...ev(406), type: 'call.ringing' } as NewEvent;
    queries = 0;
    await s.append([ringing]);
    expect(queries).toBe(2); // the statement, then the hook, then COMMIT on its own
    expect(hooked).toEqual([ringing.id]);
  });
});
