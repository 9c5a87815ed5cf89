import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverSince, retryDelivery, retryFailed, sendTest } from '../../src/delivery/replay.js';
import { Receiver, createSubscription, makeEvent, startHarness, waitFor, type Harness } from './harness.js';

describe('SSRF guard on real connections', () => {
  let h: Harness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await startHarness({ retryScheduleMs: [50] });
    rx = await new Receiver().start();
  });
  afterAll(async () => {
    await rx?.stop();
    await h?.stop();
  });

  /** The subscription's delivery rows, once the first one has failed. */
  const failedDelivery = (subId: string) =>
    waitFor(
      async () =>
        (await h.pool.query(`SELECT status, last_error FROM deliveries WHERE subscription_id = $1`, [subId]))
          .rows,
      (r) => r[0]?.status === 'failed',
    );

  it.each([
    ['a loopback IP literal', (p: number) => `http://127.0.0.1:${p}/hook`],
    ['an IPv4-mapped IPv6 literal', (p: number) => `http://[::ffff:127.0.0.1]:${p}/hook`],
    ['a name that resolves to loopback', (p: number) => `http://localhost:${p}/hook`],
  ])('refuses %s when no allowed CIDR contains it, and sends nothing', async (_label, url) => {
    const sub = await createSubscription(h.pool, { url: url(rx.port), allowLocalNetwork: false });
    await h.store.append([makeEvent('call.ringing')]);
    const rows = await failedDelivery(sub.id);
    expect(rows[0].last_error).toMatch(/refused to connect .*(loopback)/);
    expect(rx.received).toHaveLength(0);
  });

  it('refuses loopback when the allowed CIDRs hold other private ranges only', async () => {
    const sub = await createSubscription(h.pool, {
      url: `http://127.0.0.1:${rx.port}/hook`,
      allowedCidrs: ['127.0.0.2/32', '10.0.0.0/8'],
    });
    await h.store.append([makeEvent('call.ringing')]);
    const rows = await failedDelivery(sub.id);
    expect(rows[0].last_error).toMatch(/refused to connect .*127\.0\.0\.1: loopback/);
    expect(rx.received).toHaveLength(0);
  });

  it('refuses the metadata address even when every address is allowed, without sending traffic', async () => {
    const sub = await createSubscription(h.pool, {
      url: 'http://169.254.169.254/latest/meta-data/',
      allowedCidrs: ['0.0.0.0/0', '::/0'],
    });
    await h.store.append([makeEvent('call.ringing')]);
    const rows = await failedDelivery(sub.id);
    expect(rows[0].last_error).toMatch(/metadata/);
  });

  it('allows loopback when an allowed CIDR contains it', async () => {
    await createSubscription(h.pool, {
      url: `http://localhost:${rx.port}/hook`,
      allowedCidrs: ['127.0.0.0/8', '::1'],
    });
    await h.store.append([makeEvent('call.ringing')]);
    await waitFor(
      () => rx.received,
      (r) => r.length === 1,
    );
  });
});

describe('replay', () => {
  let h: Harness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await startHarness({ retryScheduleMs: [50] });
    rx = await new Receiver().start();
  });
  afterAll(async () => {
    await rx?.stop();
    await h?.stop();
  });

  const statuses = async (subId: string) =>
    (
      await h.pool.query(
        `SELECT status, count(*)::int AS n FROM deliveries WHERE subscription_id = $1 GROUP BY status ORDER BY status`,
        [subId],
      )
    ).rows;

  it('retries one failed delivery now, then all failed deliveries of a subscription', async () => {
    let failing = true;
    rx.respond = () => (failing ? { status: 500 } : { status: 200 });
    const sub = await createSubscription(h.pool, { url: rx.url });
    await h.store.append([makeEvent('call.ended'), makeEvent('call.ended'), makeEvent('call.ended')]);
    await waitFor(
      () => statuses(sub.id),
      (r) => r.length === 1 && r[0].status === 'failed' && r[0].n === 3,
    );
    failing = false;
    const one = await h.pool.query(
      `SELECT id::text FROM deliveries WHERE subscription_id = $1 ORDER BY id LIMIT 1`,
      [sub.id],
    );
    await retryDelivery(h.pool, one.rows[0].id);
    h.delivery.dispatcher.wake();
    await waitFor(
      () => statuses(sub.id),
      (r) =>
        JSON.stringify(r) ===
        JSON.stringify([
          { status: 'succeeded', n: 1 },
          { status: 'failed', n: 2 },
        ]),
    );
    const trig = await h.pool.query(
      `SELECT trigger FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt_no DESC LIMIT 1`,
      [one.rows[0].id],
    );
    expect(trig.rows[0].trigger).toBe('manual');
    expect(await retryFailed(h.pool, sub.id)).toBe(2);
    h.delivery.dispatcher.wake();
    await waitFor(
      () => statuses(sub.id),
      (r) => JSON.stringify(r) === JSON.stringify([{ status: 'succeeded', n: 3 }]),
    );
  });

  it('recovers every matching event since a time, including ones from before the subscription', async () => {
    rx.respond = () => ({ status: 200 });
    const before = new Date(Date.now() - 60_000);
    const old = [
      makeEvent('call.missed', { occurredAt: new Date(Date.now() - 30_000) }),
      makeEvent('call.missed'),
    ];
    await h.store.append(old);
    const sub = await createSubscription(h.pool, { url: rx.url, eventTypes: ['call.missed'] });
    const seen = rx.received.length;
    expect(await recoverSince(h.pool, sub.id, before, 86_400_000)).toBeGreaterThanOrEqual(2);
    h.delivery.dispatcher.wake();
    await waitFor(
      () => rx.received.slice(seen).map((r) => r.headers['webhook-id']),
      (ids) => old.every((e) => ids.includes(e.id)),
    );
    // The receiver answers before the relay records the attempt: wait for the record.
    const attempts = await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT a.trigger FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1`,
            [sub.id],
          )
        ).rows,
      (rows) => rows.length >= 2,
    );
    expect(new Set(attempts.map((r) => r.trigger))).toEqual(new Set(['recover']));
    await expect(
      recoverSince(h.pool, sub.id, new Date(Date.now() - 2 * 86_400_000), 86_400_000),
    ).rejects.toThrow(/retention/);
  });

  it('recovers in batches: more events than one batch, each queued once, succeeded ones left alone', async () => {
    rx.respond = () => ({ status: 200 });
    const since = new Date(Date.now() - 1000);
    const events = Array.from({ length: 23 }, () => makeEvent('call.answered'));
    await h.store.append(events);
    const sub = await createSubscription(h.pool, { url: rx.url, eventTypes: ['call.answered'] });
    // Batches of 5: five rounds, the last one partial.
    expect(await recoverSince(h.pool, sub.id, since, 86_400_000, 5)).toBe(23);
    const rows = await h.pool.query<{ n: number; seqs: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT event_sequence)::int AS seqs FROM deliveries WHERE subscription_id = $1`,
      [sub.id],
    );
    expect(rows.rows[0]).toEqual({ n: 23, seqs: 23 });
    h.delivery.dispatcher.wake();
    await waitFor(
      () => statuses(sub.id),
      (r) => JSON.stringify(r) === JSON.stringify([{ status: 'succeeded', n: 23 }]),
    );
    expect(await recoverSince(h.pool, sub.id, since, 86_400_000, 5)).toBe(0);
  });

  it('sends a test event to one subscription only', async () => {
    const a = await createSubscription(h.pool, { url: rx.url });
    await createSubscription(h.pool, { url: rx.url });
    const seen = rx.received.length;
    await sendTest(h.pool, h.store, a.id);
    h.delivery.dispatcher.wake();
    await waitFor(
      () => rx.received.length,
      (n) => n === seen + 1,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(rx.received.length).toBe(seen + 1);
    expect(JSON.parse(rx.received.at(-1)!.body)).toMatchObject({
      type: 'relay.test',
      data: { subscriptionId: a.id },
    });
  });
});

describe('several dispatchers on one database', () => {
  it('share the outbox without sending any delivery twice', async () => {
    const a = await startHarness();
    const b = await startHarness({}, { t: a.t });
    const rx = await new Receiver().start();
    try {
      await createSubscription(a.pool, { url: rx.url, maxConcurrency: 4 });
      await a.delivery.subscriptions.reload();
      const events = Array.from({ length: 300 }, () => makeEvent('call.ringing'));
      for (let i = 0; i < events.length; i += 30)
        await (i % 60 ? a : b).store.append(events.slice(i, i + 30));
      await waitFor(
        () => rx.received.length,
        (n) => n >= 300,
        20_000,
      );
      await new Promise((r) => setTimeout(r, 200));
      const ids = rx.received.map((r) => r.headers['webhook-id']);
      expect(ids).toHaveLength(300);
      expect(new Set(ids).size).toBe(300);
      const byWorker = await a.pool.query(`SELECT count(*)::int AS n FROM delivery_attempts`);
      expect(byWorker.rows[0].n).toBe(300);
    } finally {
      await rx.stop();
      await b.stop();
      await a.stop();
      await a.t.drop();
    }
  });
});
