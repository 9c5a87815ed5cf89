import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      const stats = await h.pool.query<{ outcome: string; attempts: number; succeeded: number }>(
        `SELECT outcome, sum(attempts)::int AS attempts, sum(succeeded)::int AS succeeded
           FROM delivery_stats WHERE subscription_id = $1 GROUP BY outcome ORDER BY outcome`,
        [target.id],
      );
      expect(stats.rows.map((r) => r.outcome)).toEqual(['200', '503']);
      expect(stats.rows[0]).toMatchObject({ succeeded: stats.rows[0]!.attempts });
      expect(stats.rows[1]!.attempts).toBeGreaterThan(3);
    } finally {
      await Promise.all([crm.stop(), msp.stop(), all.stop()]);
    }
  });
});
