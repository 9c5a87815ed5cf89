import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { eventId } from '@3cx-relay/events';
import { guardPoolErrors } from '../../src/db/guard-pool-errors.js';
import { EventStore } from '../../src/events/event-store.js';

let t: TestDatabase;
let pool: pg.Pool;
let admin: pg.Pool;
beforeAll(async () => {
  t = await createTestDatabase('poolguard');
  pool = guardPoolErrors(
    new pg.Pool({ connectionString: t.url, max: 4 }),
    pino({ level: 'silent' }),
    'own-database',
  );
  admin = new pg.Pool({ connectionString: t.url, max: 1 });
});
afterAll(async () => {
  await pool.end();
  await admin.end();
  await t.drop();
});

// The own database killed mid-load crashed the worker (CI under load, own-db-restart): an append
// transaction holds a checked-out client, and pg-pool listens for errors only on idle clients.
it('an append whose connection dies inside its transaction fails cleanly; the process lives and the pool recovers', async () => {
  const store = new EventStore(pool, pino({ level: 'silent' }));
  let killed = false;
  store.addHook(async (client) => {
    if (killed) return;
    killed = true;
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // Listen before the kill: on a quiet machine the connection may end before the kill's own
    // answer is read, and a listener added after that waits forever.
    const ended = new Promise<void>((resolve) =>
      (client as unknown as pg.Client).once('end', () => resolve()),
    );
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    // no query of ours is running while the server closes the connection: pg emits 'error' now
    await ended;
  });
  const event = (n: number) => ({
    id: eventId('relay.test', 'guard', String(n)),
    type: 'relay.test' as const,
    occurredAt: new Date(),
    extensions: [],
    dids: [],
    queues: [],
    data: { message: `m${n}`, subscriptionId: null },
  });
  await expect(store.append([event(1)])).rejects.toThrow();
  const [again] = await store.append([event(2)]);
  expect(again?.id).toBe(event(2).id);
});
