import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateStats, writeStats } from '../../src/delivery/delivery-stats.js';
import { recordAttempts, type AttemptRecord } from '../../src/delivery/record-attempts.js';
import { createSubscription, makeEvent, startHarness, waitFor, type Harness } from './harness.js';

// deliveries → events, deliveries → webhook_subscriptions and delivery_attempts → deliveries are
// not foreign keys (migration 20261205090000): cascade triggers on the parents delete the
// children, and the statements that insert children lock their parents. These tests hold a
// parent's DELETE open while a child is inserted, the race a foreign key used to settle.

const count = async (pool: pg.Pool, sql: string, params: unknown[]) =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n;

function attempt(deliveryId: string, subscriptionId: string): AttemptRecord {
  return {
    deliveryId,
    subscriptionId,
    attemptNo: 1,
    trigger: 'scheduled',
    startedAt: new Date(),
    durationMs: 3,
    statusCode: 200,
    excerpt: 'ok',
    error: null,
    outcome: '200',
    succeeded: true,
    status: 'succeeded',
    nextAttemptAt: null,
  };
}

describe('outbox cascades without row-by-row foreign keys', () => {
  let h: Harness;
  let other: pg.Client;
  beforeAll(async () => {
    h = await startHarness();
    await h.delivery.dispatcher.stop(); // rows stay as the outbox wrote them
    other = new pg.Client({ connectionString: h.t.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await h?.stop();
  });

  /** Waits until a backend of this database waits for a row lock (the statement under test). */
  const blockedOnLock = () =>
    waitFor(
      () =>
        count(h.pool, `pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`, []),
      (n) => n > 0,
    );

  /** A new subscription and the id of the delivery one appended event got for it. */
  const deliveryTo = async (url: string) => {
    const sub = await createSubscription(h.pool, { url });
    const [stored] = await h.store.append([makeEvent('call.ringing')]);
    const d = await h.pool.query<{ id: string }>(
      'SELECT id::text FROM deliveries WHERE subscription_id = $1 AND event_sequence = $2',
      [sub.id, stored!.sequence.toString()],
    );
    return { sub, id: d.rows[0]!.id };
  };

  it('deleting a subscription or an event deletes its deliveries and their attempts', async () => {
    const a = await createSubscription(h.pool, { url: 'http://127.0.0.1:9/a' });
    const b = await createSubscription(h.pool, { url: 'http://127.0.0.1:9/b' });
    const [e1, e2] = await h.store.append([makeEvent('call.ringing'), makeEvent('call.ended')]);
    const rows = await h.pool.query<{ id: string; subscription_id: string }>(
      `SELECT id::text, subscription_id::text FROM deliveries WHERE event_sequence = ANY($1::bigint[])`,
      [[e1!.sequence, e2!.sequence].map(String)],
    );
    expect(rows.rows).toHaveLength(4);
    await recordAttempts(
      h.pool,
      rows.rows.map((r) => attempt(r.id, r.subscription_id)),
    );
    expect(
      await count(h.pool, 'delivery_attempts WHERE delivery_id = ANY($1::bigint[])', [
        rows.rows.map((r) => r.id),
      ]),
    ).toBe(4);

    await h.pool.query('DELETE FROM webhook_subscriptions WHERE id = $1', [a.id]);
    expect(await count(h.pool, 'deliveries WHERE subscription_id = $1', [a.id])).toBe(0);
    const ofA = rows.rows.filter((r) => r.subscription_id === a.id).map((r) => r.id);
    expect(await count(h.pool, 'delivery_attempts WHERE delivery_id = ANY($1::bigint[])', [ofA])).toBe(0);

    await h.pool.query('DELETE FROM events WHERE sequence = $1', [e1!.sequence.toString()]);
    expect(await count(h.pool, 'deliveries WHERE event_sequence = $1', [e1!.sequence.toString()])).toBe(0);
    // b's delivery of e2 and its attempt are untouched
    expect(await count(h.pool, 'deliveries WHERE subscription_id = $1', [b.id])).toBe(1);
    expect(
      await count(h.pool, 'delivery_attempts WHERE delivery_id = ANY($1::bigint[])', [
        rows.rows.map((r) => r.id),
      ]),
    ).toBe(1);
    await h.pool.query('DELETE FROM webhook_subscriptions WHERE id = $1', [b.id]);
  });

  it('an append racing a subscription delete waits for it and routes nothing to the deleted subscription', async () => {
    const gone = await createSubscription(h.pool, { url: 'http://127.0.0.1:9/gone' });
    const kept = await createSubscription(h.pool, { url: 'http://127.0.0.1:9/kept' });
    await other.query('BEGIN');
    await other.query('DELETE FROM webhook_subscriptions WHERE id = $1', [gone.id]);
    const appending = h.store.append([makeEvent('call.ringing')]);
    await blockedOnLock();
    await other.query('COMMIT');
    const [stored] = await appending;
    expect(await count(h.pool, 'deliveries WHERE subscription_id = $1', [gone.id])).toBe(0);
    expect(
      await count(h.pool, 'deliveries WHERE subscription_id = $1 AND event_sequence = $2', [
        kept.id,
        stored!.sequence.toString(),
      ]),
    ).toBe(1);
    await h.pool.query('DELETE FROM webhook_subscriptions WHERE id = $1', [kept.id]);
  });

  it('an attempt recorded while its delivery is being deleted leaves no attempt behind', async () => {
    const { sub, id } = await deliveryTo('http://127.0.0.1:9/rec');
    await other.query('BEGIN');
    await other.query('DELETE FROM deliveries WHERE id = $1', [id]);
    const recording = recordAttempts(h.pool, [attempt(id, sub.id)]);
    await blockedOnLock();
    await other.query('COMMIT');
    await recording;
    expect(await count(h.pool, 'delivery_attempts WHERE delivery_id = $1', [id])).toBe(0);
    await h.pool.query('DELETE FROM webhook_subscriptions WHERE id = $1', [sub.id]);
  });

  it('recording attempts while their subscription is being deleted does not deadlock with the delete', async () => {
    // The delete holds its subscription's row, then its cascade needs the delivery rows; the
    // attempt record must not hold those rows while waiting for the subscription.
    const { sub, id } = await deliveryTo('http://127.0.0.1:9/dl');
    await other.query('BEGIN');
    await other.query('SELECT 1 FROM webhook_subscriptions WHERE id = $1 FOR UPDATE', [sub.id]);
    // what the dispatcher does: the attempts, then (from its statistics buffer) their increments
    const recording = (async () => {
      const a = [attempt(id, sub.id)];
      await recordAttempts(h.pool, a);
      await writeStats(h.pool, aggregateStats(a));
    })();
    await blockedOnLock(); // the statistics wait for the subscription
    await other.query('DELETE FROM webhook_subscriptions WHERE id = $1', [sub.id]);
    await other.query('COMMIT');
    await recording; // no deadlock error, and the deleted subscription's statistics are skipped
    expect(await count(h.pool, 'deliveries WHERE id = $1', [id])).toBe(0);
    expect(await count(h.pool, 'delivery_attempts WHERE delivery_id = $1', [id])).toBe(0);
    expect(await count(h.pool, 'delivery_stats WHERE subscription_id = $1', [sub.id])).toBe(0);
  });
});
