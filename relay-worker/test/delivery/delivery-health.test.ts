import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { updateSubscriptionHealth } from '../../src/delivery/subscription-health-store.js';
import { Receiver, createSubscription, makeEvent, startHarness, waitFor, type Harness } from './harness.js';

const typeOf = (r: { body: string }) => (JSON.parse(r.body) as { type: string }).type;

describe('delivery health', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      retryScheduleMs: Array.from({ length: 100 }, () => 100),
      failingAfterMs: 300,
      disableAfterMs: 2500,
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('tells watching subscriptions when an endpoint is failing, recovered and disabled; nobody else', async () => {
    const crm = await new Receiver().start();
    const msp = await new Receiver().start();
    const all = await new Receiver().start();
    try {
      let down = true;
      crm.respond = () => ({ status: down ? 503 : 200 });
      const target = await createSubscription(h.pool, { url: crm.url, eventTypes: ['call.*'] });
      await createSubscription(h.pool, { url: msp.url, eventTypes: ['subscription.*'] });
      await createSubscription(h.pool, { url: all.url }); // every call and CDR event: not these
      await h.store.append([makeEvent('call.ringing')]);

      const failing = await waitFor(
        () => msp.received.filter((r) => typeOf(r) === 'subscription.failing'),
        (r) => r.length === 1,
      );
      const data = (JSON.parse(failing[0]!.body) as { data: Record<string, unknown> }).data;
      expect(data).toMatchObject({
        subscriptionId: target.id,
        origin: new URL(crm.url).origin,
        lastStatusCode: 503,
        lastError: null,
      });
      expect(Date.parse(String(data.disableAt)) - Date.parse(String(data.failingSince))).toBe(2500);

      down = false;
      await waitFor(
        () => msp.received.filter((r) => typeOf(r) === 'subscription.recovered').length,
        (n) => n === 1,
      );

      down = true;
      await h.store.append([makeEvent('call.ringing')]);
      await waitFor(
        () => msp.received.filter((r) => typeOf(r) === 'subscription.disabled'),
        (r) => r.length === 1,
        15_000,
      );
      const types = msp.received.map(typeOf);
      // failing, recovered, failing (the second run), disabled: each once, in that order
      expect(types).toEqual([
        'subscription.failing',
        'subscription.recovered',
        'subscription.failing',
        'subscription.disabled',
      ]);
      // the endpoint itself and the all-events subscription never got one
      expect(crm.received.map(typeOf).filter((t) => t.startsWith('subscription.'))).toEqual([]);
      expect(all.received.map(typeOf).filter((t) => t.startsWith('subscription.'))).toEqual([]);
      // the hourly statistics are written once a second: wait for the failures after the last success
      const stats = await waitFor(
        () =>
          h.pool.query<{ outcome: string; attempts: number; succeeded: number }>(
            `SELECT outcome, sum(attempts)::int AS attempts, sum(succeeded)::int AS succeeded
               FROM delivery_stats WHERE subscription_id = $1 GROUP BY outcome ORDER BY outcome`,
            [target.id],
          ),
        (r) => r.rows.length === 2 && r.rows[1]!.attempts > 3,
      );
      expect(stats.rows.map((r) => r.outcome)).toEqual(['200', '503']);
      expect(stats.rows[0]).toMatchObject({ succeeded: stats.rows[0]!.attempts });
      expect(stats.rows[1]!.attempts).toBeGreaterThan(3);
    } finally {
      await Promise.all([crm.stop(), msp.stop(), all.stop()]);
    }
  });

  it('writes health counters while an append holds its subscriptions (no lock that waits on the outbox)', async () => {
    // an event the subscription does not take, so the insert below is the only one
    const sub = await createSubscription(h.pool, {
      url: 'http://127.0.0.1:9/h',
      eventTypes: ['call.missed'],
    });
    const [ev] = await h.store.append([makeEvent('cdr.created')]);
    // An open append: inserting a delivery holds FOR KEY SHARE on the subscription until COMMIT.
    const open = new pg.Client({ connectionString: h.t.url });
    await open.connect();
    try {
      await open.query('BEGIN');
      await open.query(`INSERT INTO deliveries (event_sequence, subscription_id) VALUES ($1, $2)`, [
        ev!.sequence.toString(),
        sub.id,
      ]);
      const write = updateSubscriptionHealth(
        h.pool,
        [
          {
            deliveryId: '0',
            subscriptionId: sub.id,
            attemptNo: 1,
            trigger: 'scheduled',
            startedAt: new Date(),
            durationMs: 5,
            statusCode: 503,
            excerpt: null,
            error: null,
            outcome: '503',
            succeeded: false,
            status: 'pending',
            nextAttemptAt: new Date(),
          },
        ],
        300_000,
      );
      const done = await Promise.race([
        write.then(() => 'written'),
        new Promise((r) => setTimeout(() => r('blocked'), 3000)),
      ]);
      expect(done).toBe('written');
    } finally {
      await open.query('ROLLBACK');
      await open.end();
    }
  });
});
