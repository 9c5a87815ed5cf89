import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isOptInEventType } from '@3cx-relay/events';
import { ENCRYPTION_KEY, Receiver, createSubscription } from '../delivery/harness.js';
import { startHarness, until, type Harness } from './sim-harness.js';

// The sources start, and catch up on what happened while the worker was down, before the
// delivery service exists: events they store then must get their deliveries like any other.
let h: Harness;
let pool: pg.Pool;
let rx: Receiver;
const ENV = { RELAY_ENCRYPTION_KEY: ENCRYPTION_KEY.toString('hex'), DELIVERY_POLL_MS: '100' };
const cdrCount = async () => (await h.events("type = 'cdr.created'")).length;

beforeAll(async () => {
  h = await startHarness('obstart');
  pool = new pg.Pool({ connectionString: h.db.url, max: 3 });
  rx = await new Receiver().start();
});
afterAll(async () => {
  await pool?.end();
  await rx?.stop();
  await h?.stop();
});

it('events a source stores while the worker is still starting (CDRs of a call made while it was down) get their deliveries', async () => {
  const sub = await createSubscription(pool, { url: `http://127.0.0.1:${rx.port}/hook` });
  await h.startWorker(ENV);
  await h.sim.runScenario('internal');
  await until(cdrCount, 20_000, 'the first call in the CDR cursor');
  await h.stopWorker();
  const before = await cdrCount();
  await h.sim.runScenario('internal'); // while the worker is down
  await until(() => h.sim.state().pendingCdrWrites === 0, 20_000, 'CDRs written');

  // Hold the start between the sources and the delivery service: the agent state source reads
  // its stored states there, and this lock makes that read wait.
  const blocker = await pool.connect();
  let starting: Promise<unknown> | undefined;
  try {
    await blocker.query('BEGIN; LOCK TABLE agent_states IN ACCESS EXCLUSIVE MODE');
    starting = h.startWorker(ENV);
    await until(async () => (await cdrCount()) > before, 20_000, 'the CDR source caught up during the start');
  } finally {
    await blocker.query('COMMIT');
    blocker.release();
  }
  await starting;

  const stored = (await h.events()).filter((e) => !isOptInEventType(e.type));
  const { rows } = await pool.query<{ event_sequence: string }>(
    'SELECT event_sequence::text FROM deliveries WHERE subscription_id = $1',
    [sub.id],
  );
  const queued = new Set(rows.map((r) => r.event_sequence));
  expect(stored.filter((e) => !queued.has(e.sequence)).map((e) => `${e.type} #${e.sequence}`)).toEqual([]);
  await until(() => rx.received.length >= stored.length, 20_000, 'every event delivered');
});
