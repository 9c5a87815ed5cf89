import pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { EventStore } from '../../src/events/event-store.js';
import type { LeasedRow, OutboxFastPath } from '../../src/delivery/outbox.js';
import { createSubscription, makeEvent, silent } from './harness.js';

// The outbox's lease decision for per-call lanes, read straight from the rows it writes.

let t: TestDatabase;
let pool: pg.Pool;
let store: EventStore;
let subId: string;
/** What the fake dispatcher answers; null = no room (every row to the claim loop). */
let lease: number | null = 60_000;
const handed: LeasedRow[] = [];
const fastPath: OutboxFastPath = {
  instanceId: 'worker-a',
  leaseMsIfCapacity: () => (lease === null ? null : { leaseMs: lease, skipSubscriptions: [] }),
  leased: (rows) => void handed.push(...rows),
};

beforeAll(async () => {
  t = await createTestDatabase('outbox_lanes');
  pool = new pg.Pool({ connectionString: t.url, max: 4 });
  store = new EventStore(pool, silent);
  store.useOutbox(fastPath);
  subId = (await createSubscription(pool, { url: 'http://127.0.0.1:9/h', ordering: 'per-call' })).id;
});
afterAll(async () => {
  await pool.end();
  await t.drop();
});
beforeEach(() => {
  lease = 60_000;
  handed.length = 0;
});

interface Row {
  leased: boolean;
  locked_by: string | null;
  due_in_ms: number;
  joined: boolean;
}
async function rowOf(eventId: string): Promise<Row> {
  const r = await pool.query<Row>(
    `SELECT d.locked_until IS NOT NULL AS leased, d.locked_by,
            extract(epoch FROM d.next_attempt_at - now()) * 1000 AS due_in_ms,
            coalesce(d.next_attempt_at < d.locked_until, false) AS joined
       FROM deliveries d JOIN events e ON e.sequence = d.event_sequence WHERE e.id = $1 AND d.subscription_id = $2`,
    [eventId, subId],
  );
  return { ...r.rows[0]!, due_in_ms: Number(r.rows[0]!.due_in_ms) };
}

it('leases the first row of a call to this worker, and the next one while it still holds the lane', async () => {
  const [a, b] = [makeEvent('call.ringing', { callId: 'l1' }), makeEvent('call.answered', { callId: 'l1' })];
  await store.append([a]);
  await store.append([b]);
  expect(await rowOf(a.id)).toMatchObject({ leased: true, locked_by: 'worker-a', joined: false });
  expect(await rowOf(b.id)).toMatchObject({ leased: true, locked_by: 'worker-a', joined: true });
  expect(handed.map((r) => r.joined)).toEqual([false, true]);
});

it('leaves a row of a call whose earlier row waits for the claim loop due at once, unleased', async () => {
  const [a, b] = [makeEvent('call.ringing', { callId: 'l2' }), makeEvent('call.answered', { callId: 'l2' })];
  lease = null; // no room: the first row goes to the claim loop, unleased
  await store.append([a]);
  lease = 60_000;
  await store.append([b]);
  expect(await rowOf(a.id)).toMatchObject({ leased: false, locked_by: null });
  const rowB = await rowOf(b.id);
  // neither leased (the lane is not this worker's) nor parked for a lease's length
  expect(rowB).toMatchObject({ leased: false, locked_by: null });
  expect(rowB.due_in_ms).toBeLessThan(1000);
  expect(handed).toEqual([]);
});

it('leaves a row of a call held by another worker to the head-of-line rule', async () => {
  const [a, b] = [makeEvent('call.ringing', { callId: 'l3' }), makeEvent('call.answered', { callId: 'l3' })];
  await store.append([a]);
  await pool.query(
    `UPDATE deliveries SET locked_by = 'worker-b' FROM events e WHERE e.sequence = event_sequence AND e.id = $1`,
    [a.id],
  );
  await store.append([b]);
  const rowB = await rowOf(b.id);
  expect(rowB).toMatchObject({ leased: false, locked_by: null });
  expect(rowB.due_in_ms).toBeLessThan(1000);
});

it('queues a row of a call whose head waits for a retry no earlier than that retry', async () => {
  const [a, b] = [makeEvent('call.ringing', { callId: 'l4' }), makeEvent('call.answered', { callId: 'l4' })];
  await store.append([a]);
  // the head failed: pending, unleased, next attempt in 30 s
  await pool.query(
    `UPDATE deliveries SET locked_until = NULL, locked_by = NULL, attempt_count = 1, next_attempt_at = now() + interval '30 seconds'
       FROM events e WHERE e.sequence = event_sequence AND e.id = $1`,
    [a.id],
  );
  await store.append([b]);
  const rowB = await rowOf(b.id);
  expect(rowB).toMatchObject({ leased: false, locked_by: null });
  expect(rowB.due_in_ms).toBeGreaterThan(25_000);
  expect(rowB.due_in_ms).toBeLessThan(31_000);
});
