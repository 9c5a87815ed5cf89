import pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { EventStore } from '../../src/events/event-store.js';
import type { LeasedRow, OutboxFastPath } from '../../src/delivery/outbox.js';
import { claimDueDeliveries } from '../../src/delivery/claim-due-deliveries.js';
import { releaseLanes } from '../../src/delivery/record-attempts.js';
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

/** The outbox's lease on an event's row now names another (live) worker. */
const heldByWorkerB = (eventId: string) =>
  pool.query(
    `UPDATE deliveries SET locked_by = 'worker-b' FROM events e WHERE e.sequence = event_sequence AND e.id = $1`,
    [eventId],
  );

it('leaves a row of a call held by another worker to the head-of-line rule', async () => {
  const [a, b] = [makeEvent('call.ringing', { callId: 'l3' }), makeEvent('call.answered', { callId: 'l3' })];
  await store.append([a]);
  await heldByWorkerB(a.id);
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

/** Three events of one call, in order. */
const threeOf = (callId: string) =>
  [
    makeEvent('call.ringing', { callId }),
    makeEvent('call.answered', { callId }),
    makeEvent('call.ended', { callId }),
  ] as const;

// Rows leased for a scheduled attempt are not in the lane index (migration 20261205150000): the
// lane's newest row, the claim's previous-row check and the walk over the call's later events
// must find them instead.

it('leaves a batch of two events of a call held by another worker both to the head-of-line rule', async () => {
  const [a, b, c] = threeOf('l5');
  await store.append([a]);
  await heldByWorkerB(a.id);
  handed.length = 0;
  await store.append([b, c]); // c's previous row is b, in the same statement: not visible to it
  expect(await rowOf(b.id)).toMatchObject({ leased: false, locked_by: null });
  expect(await rowOf(c.id)).toMatchObject({ leased: false, locked_by: null });
  expect(handed).toEqual([]);
});

it('joins a batch of two events to a lane this worker holds', async () => {
  const [a, b, c] = threeOf('l6');
  await store.append([a]);
  await store.append([b, c]);
  expect(await rowOf(b.id)).toMatchObject({ leased: true, locked_by: 'worker-a', joined: true });
  expect(await rowOf(c.id)).toMatchObject({ leased: true, locked_by: 'worker-a', joined: true });
});

it('holds the later rows of a call behind a manual retry of an earlier row, leased or not', async () => {
  const [a, b, c] = threeOf('l7');
  await store.append([a, b]);
  await pool.query(
    `UPDATE deliveries SET status = 'succeeded', locked_until = NULL, locked_by = NULL, completed_at = now()
      WHERE subscription_id = $1 AND event_sequence IN (SELECT sequence FROM events WHERE id = ANY($2))`,
    [subId, [a.id, b.id]],
  );
  // a is re-sent by hand and another worker is sending it now; b, the lane's newest row, is done
  await pool.query(
    `UPDATE deliveries SET status = 'pending', trigger = 'manual', locked_by = 'worker-b',
            locked_until = now() + interval '1 minute', next_attempt_at = now() + interval '1 minute'
      FROM events e WHERE e.sequence = event_sequence AND e.id = $1`,
    [a.id],
  );
  handed.length = 0;
  await store.append([c]);
  expect(await rowOf(c.id)).toMatchObject({ leased: false, locked_by: null });
  expect(handed).toEqual([]);
  const claim = await claimDueDeliveries(pool, claimOpts('worker-c'));
  expect(claim.claimed.filter((d) => d.eventId === c.id)).toEqual([]);
});

it("claims a dead worker's lane whole and in order, with the row that waited behind it", async () => {
  const [a, b, c] = threeOf('l8');
  await store.append([a]);
  await store.append([b]); // joined: both held by worker-a
  lease = null;
  await store.append([c]); // waits behind them
  // worker-a died: its lease ran out
  await pool.query(
    `UPDATE deliveries SET locked_until = now() - interval '1 second', next_attempt_at = now() - interval '1 second'
      WHERE subscription_id = $1 AND locked_by = 'worker-a'
        AND event_sequence IN (SELECT sequence FROM events WHERE id = ANY($2))`,
    [subId, [a.id, b.id]],
  );
  const claim = await claimDueDeliveries(pool, claimOpts('worker-c'));
  const mine = claim.claimed.filter((d) => d.eventOrderKey === 'call:l8');
  expect(mine.map((d) => d.eventId)).toEqual([a.id, b.id, c.id]);
  expect(claim.stray).toEqual([]);
});

it('claims no row of a call while another worker holds an earlier one', async () => {
  const [a, b] = [makeEvent('call.ringing', { callId: 'l9' }), makeEvent('call.answered', { callId: 'l9' })];
  await store.append([a]);
  await heldByWorkerB(a.id);
  await store.append([b]); // due at once, unleased
  const claim = await claimDueDeliveries(pool, claimOpts('worker-c'));
  expect(claim.claimed.filter((d) => d.eventOrderKey === 'call:l9')).toEqual([]);
});

const claimOpts = (instanceId: string) => ({
  limit: 100,
  leaseMs: 60_000,
  skipSubscriptions: [],
  perLane: 20,
  instanceId,
});

it('defers the rest of a lane, held or waiting, to its head retry, and wakes it when the head is done', async () => {
  const [a, b, c] = threeOf('l10');
  await store.append([a]);
  await store.append([b]); // joined: held by worker-a
  lease = null;
  await store.append([c]); // waiting, unleased
  const ids = await pool.query<{ id: string; event_id: string; seq: string }>(
    `SELECT d.id::text, e.id AS event_id, e.sequence::text AS seq FROM deliveries d JOIN events e ON e.sequence = d.event_sequence
      WHERE d.subscription_id = $1 AND e.order_key = 'call:l10' ORDER BY e.sequence`,
    [subId],
  );
  const [ra, rb] = [ids.rows[0]!, ids.rows[1]!];
  // the head failed, next attempt in 30 s; worker-a hands b back
  await pool.query(
    `UPDATE deliveries SET locked_until = NULL, locked_by = NULL, attempt_count = 1, next_attempt_at = now() + interval '30 seconds' WHERE id = $1`,
    [ra.id],
  );
  const retryAt = new Date(Date.now() + 30_000);
  const head = { subscriptionId: subId, orderKey: 'call:l10', afterSequence: ra.seq };
  await releaseLanes(pool, [rb.id], [{ ...head, mode: 'defer', at: retryAt }]);
  for (const e of [b, c]) {
    const row = await rowOf(e.id);
    expect(row).toMatchObject({ leased: false, locked_by: null });
    expect(row.due_in_ms).toBeGreaterThan(25_000);
  }
  // the retried head succeeded: the rest is due at once
  await pool.query(`UPDATE deliveries SET status = 'succeeded', next_attempt_at = NULL WHERE id = $1`, [
    ra.id,
  ]);
  await releaseLanes(pool, [], [{ ...head, mode: 'wake', at: new Date() }]);
  for (const e of [b, c]) expect((await rowOf(e.id)).due_in_ms).toBeLessThan(1000);
});

it("finds a lane's newest row behind an event the subscription filtered out, and holds the call's next row behind it", async () => {
  // A subscription that takes ringing and ended but not answered: for it, the call's row before
  // `ended` is `ringing`'s, two events back. Another worker holds that row.
  const narrow = (
    await createSubscription(pool, {
      url: 'http://127.0.0.1:9/narrow',
      ordering: 'per-call',
      eventTypes: ['call.ringing', 'call.ended'],
    })
  ).id;
  try {
    const [a, b, c] = threeOf('l11');
    await store.append([a]);
    await heldByWorkerB(a.id);
    await store.append([b]); // not routed to `narrow`
    handed.length = 0;
    await store.append([c]);
    const rows = await pool.query<{ leased: boolean; prev: string; a_seq: string }>(
      `SELECT d.locked_until IS NOT NULL AS leased, d.prev_sequence::text AS prev,
              (SELECT sequence::text FROM events WHERE id = $3) AS a_seq
         FROM deliveries d JOIN events e ON e.sequence = d.event_sequence WHERE e.id = $1 AND d.subscription_id = $2`,
      [c.id, narrow, a.id],
    );
    expect(rows.rows[0]).toMatchObject({ leased: false });
    expect(rows.rows[0]!.prev).toBe(rows.rows[0]!.a_seq);
    expect(handed.filter((r) => r.subscription_id === narrow)).toEqual([]);
  } finally {
    await pool.query('UPDATE webhook_subscriptions SET enabled = false WHERE id = $1', [narrow]);
  }
});
