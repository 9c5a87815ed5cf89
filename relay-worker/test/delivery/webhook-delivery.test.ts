import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Receiver, createSubscription, makeEvent, startHarness, waitFor, type Harness } from './harness.js';

describe('webhook delivery', () => {
  let h: Harness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(async () => {
    rx = await new Receiver().start();
    return () => rx.stop();
  });

  it('delivers a Standard Webhooks request the standardwebhooks library verifies, byte for byte', async () => {
    const sub = await createSubscription(h.pool, { url: rx.url });
    const [ev] = await h.store.append([makeEvent('call.ringing')]);
    const [req] = await waitFor(
      () => rx.received,
      (r) => r.length === 1,
    );
    expect(req!.headers['webhook-id']).toBe(ev!.id);
    const payload = new Webhook(sub.secrets[0]!).verify(
      req!.body,
      req!.headers as Record<string, string>,
    ) as Record<string, unknown>;
    expect(payload).toEqual({
      type: 'call.ringing',
      timestamp: ev!.occurredAt.toISOString(),
      data: ev!.data,
    });
    const row = await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT d.status, d.attempt_count, a.status_code, a.response_excerpt, a.succeeded FROM deliveries d JOIN delivery_attempts a ON a.delivery_id = d.id WHERE d.subscription_id = $1`,
            [sub.id],
          )
        ).rows,
      (r) => r.length === 1,
    );
    expect(row[0]).toMatchObject({
      status: 'succeeded',
      attempt_count: 1,
      status_code: 200,
      response_excerpt: 'ok',
      succeeded: true,
    });
  });

  it('sends only events that pass the subscription filters', async () => {
    const sub = await createSubscription(h.pool, {
      url: rx.url,
      eventTypes: ['call.ended', 'cdr.*'],
      extensions: ['201'],
    });
    await h.store.append([
      makeEvent('call.ended', { extensions: ['201'] }),
      makeEvent('call.ended', { extensions: ['999'] }),
      makeEvent('call.ringing', { extensions: ['201'] }),
      makeEvent('cdr.created', { extensions: ['201', '5'] }),
    ]);
    await waitFor(
      () => rx.received,
      (r) => r.length >= 2,
    );
    await new Promise((r) => setTimeout(r, 150));
    expect(rx.received.map((r) => JSON.parse(r.body).type).sort()).toEqual(['call.ended', 'cdr.created']);
    const n = await h.pool.query('SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = $1', [
      sub.id,
    ]);
    expect(n.rows[0].n).toBe(2);
  });

  it('treats NULL filter columns as no filter', async () => {
    const sub = await createSubscription(h.pool, { url: rx.url });
    await h.pool.query(
      'UPDATE webhook_subscriptions SET event_types = NULL, extensions = NULL, dids = NULL, queues = NULL WHERE id = $1',
      [sub.id],
    );
    await h.store.append([makeEvent('call.ringing')]);
    await waitFor(
      () => rx.received,
      (r) => r.length === 1,
    );
  });

  it('retries on the compressed schedule and records every attempt', async () => {
    rx.respond = (_r, n) => (n < 3 ? { status: 500, body: 'boom' } : { status: 204 });
    const sub = await createSubscription(h.pool, { url: rx.url });
    await h.store.append([makeEvent('call.answered')]);
    await waitFor(
      () => rx.received,
      (r) => r.length === 3,
    );
    const gaps = [rx.received[1]!.at - rx.received[0]!.at, rx.received[2]!.at - rx.received[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(140); // schedule: 150 ms, then 300 ms (no jitter in tests)
    expect(gaps[1]).toBeGreaterThanOrEqual(290);
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const attempts = await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT a.attempt_no, a.status_code, a.response_excerpt FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1 ORDER BY a.attempt_no`,
            [sub.id],
          )
        ).rows,
      (r) => r.length === 3,
    );
    expect(attempts.map((a) => [a.attempt_no, a.status_code, a.response_excerpt])).toEqual([
      [1, 500, 'boom'],
      [2, 500, 'boom'],
      [3, 204, null],
    ]);
  });

  it('gives up after the last scheduled attempt and marks the delivery failed', async () => {
    rx.respond = () => ({ status: 503 });
    const sub = await createSubscription(h.pool, { url: rx.url });
    await h.store.append([makeEvent('call.missed')]);
    const rows = await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT status, attempt_count, last_status_code FROM deliveries WHERE subscription_id = $1`,
            [sub.id],
          )
        ).rows,
      (r) => r[0]?.status === 'failed',
    );
    expect(rows[0]).toMatchObject({ attempt_count: 3, last_status_code: 503 });
    expect(rx.received).toHaveLength(3);
  });

  it('honours Retry-After on 429 within [base, 2 × base]', async () => {
    const h2 = await startHarness({ retryScheduleMs: [600] });
    try {
      rx.respond = (_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 });
      await createSubscription(h2.pool, { url: rx.url });
      await h2.store.append([makeEvent('call.ringing')]);
      await waitFor(
        () => rx.received,
        (r) => r.length === 2,
        20_000,
      );
      expect(rx.received[1]!.at - rx.received[0]!.at).toBeGreaterThanOrEqual(950); // 1 s, not the 600 ms base
    } finally {
      await h2.stop();
    }
  });

  it('disables the subscription on 410 Gone, cancels its queue and logs it', async () => {
    rx.respond = () => ({ status: 410 });
    const sub = await createSubscription(h.pool, { url: rx.url, maxConcurrency: 1 });
    await h.store.append([makeEvent('call.ringing'), makeEvent('call.ringing'), makeEvent('call.ringing')]);
    const s = await waitFor(
      async () =>
        (
          await h.pool.query('SELECT enabled, disabled_reason FROM webhook_subscriptions WHERE id = $1', [
            sub.id,
          ])
        ).rows[0],
      (r) => r.enabled === false,
    );
    expect(s.disabled_reason).toMatch(/410/);
    await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = $1 AND status = 'pending'`,
            [sub.id],
          )
        ).rows[0].n,
      (n) => n === 0,
    );
    const log = await h.pool.query(
      `SELECT code, details->>'subscriptionId' AS sub FROM error_log WHERE code = 'SUBSCRIPTION_DISABLED'`,
    );
    expect(log.rows.map((r) => r.sub)).toContain(sub.id);
    await h.store.append([makeEvent('call.ringing')]);
    const n = await h.pool.query(`SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = $1`, [
      sub.id,
    ]);
    expect(n.rows[0].n).toBe(3); // a disabled subscription gets no new deliveries
  });

  it('disabling a subscription and logging why are one transaction: without the entry, no disable', async () => {
    const h2 = await startHarness();
    const deliveryStatus = async (subId: string) =>
      (
        await h2.pool.query<{ status: string }>(
          'SELECT status FROM deliveries WHERE subscription_id = $1 ORDER BY id',
          [subId],
        )
      ).rows.map((r) => r.status);
    try {
      rx.respond = () => ({ status: 410 });
      const sub = await createSubscription(h2.pool, { url: rx.url, maxConcurrency: 1 });
      await h2.pool.query('ALTER TABLE error_log RENAME TO error_log_away');
      await h2.store.append([makeEvent('call.ringing')]);
      await waitFor(
        () => deliveryStatus(sub.id),
        (s) => s.length === 1 && s[0] === 'failed',
      );
      // The attempt of a later event is recorded only after the first batch's disable has run.
      await h2.store.append([makeEvent('call.ringing')]);
      await waitFor(
        () => deliveryStatus(sub.id),
        (s) => s.length === 2 && s[1] === 'failed',
      );
      const before = await h2.pool.query('SELECT enabled FROM webhook_subscriptions WHERE id = $1', [sub.id]);
      expect(before.rows[0].enabled).toBe(true);

      await h2.pool.query('ALTER TABLE error_log_away RENAME TO error_log');
      await h2.store.append([makeEvent('call.ringing')]);
      await waitFor(
        async () =>
          (await h2.pool.query('SELECT enabled FROM webhook_subscriptions WHERE id = $1', [sub.id])).rows[0],
        (r) => r.enabled === false,
      );
      const log = await h2.pool.query(
        `SELECT message, details->>'subscriptionId' AS sub, details->>'reason' AS reason FROM error_log WHERE code = 'SUBSCRIPTION_DISABLED'`,
      );
      expect(log.rows).toEqual([
        {
          message: expect.stringMatching(/^webhook subscription ".+" disabled: .*410/),
          sub: sub.id,
          reason: expect.stringMatching(/410/),
        },
      ]);
    } finally {
      await h2.stop();
    }
  });

  it('disables on the receiver header webhook-delivery: disable', async () => {
    rx.respond = () => ({ status: 200, headers: { 'webhook-delivery': 'disable' } });
    const sub = await createSubscription(h.pool, { url: rx.url });
    await h.store.append([makeEvent('call.ringing')]);
    const s = await waitFor(
      async () =>
        (
          await h.pool.query('SELECT enabled, disabled_reason FROM webhook_subscriptions WHERE id = $1', [
            sub.id,
          ])
        ).rows[0],
      (r) => r.enabled === false,
    );
    expect(s.disabled_reason).toMatch(/webhook-delivery/);
  });

  it('sends two signatures during rotation and one after the old secret expires', async () => {
    const sub = await createSubscription(h.pool, {
      url: rx.url,
      secrets: [
        { createdAt: new Date(Date.now() - 60_000), expiresAt: new Date(Date.now() + 1500) },
        { createdAt: new Date() },
      ],
    });
    const [oldSecret, newSecret] = sub.secrets;
    await h.store.append([makeEvent('call.ringing')]);
    const [first] = await waitFor(
      () => rx.received,
      (r) => r.length === 1,
    );
    expect(String(first!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const s of [oldSecret!, newSecret!])
      expect(() =>
        new Webhook(s).verify(first!.body, first!.headers as Record<string, string>),
      ).not.toThrow();
    await new Promise((r) => setTimeout(r, 1600));
    await h.store.append([makeEvent('call.ringing')]);
    const [, second] = await waitFor(
      () => rx.received,
      (r) => r.length === 2,
    );
    expect(String(second!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() =>
      new Webhook(newSecret!).verify(second!.body, second!.headers as Record<string, string>),
    ).not.toThrow();
    expect(() =>
      new Webhook(oldSecret!).verify(second!.body, second!.headers as Record<string, string>),
    ).toThrow();
  });

  it('loses nothing while the receiver is down: connect errors are retried until it recovers', async () => {
    const port = rx.port;
    await rx.stop();
    const sub = await createSubscription(h.pool, { url: `http://127.0.0.1:${port}/hook` });
    const events = Array.from({ length: 20 }, () => makeEvent('call.ended'));
    await h.store.append(events);
    await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT count(*)::int AS n FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1 AND a.error IS NOT NULL`,
            [sub.id],
          )
        ).rows[0].n,
      (n) => n >= 20,
    );
    rx = await new Receiver().start(port);
    await waitFor(
      () => rx.received,
      (r) => new Set(r.map((x) => x.headers['webhook-id'])).size === 20,
      20_000,
    );
    expect(new Set(rx.received.map((x) => x.headers['webhook-id']))).toEqual(
      new Set(events.map((e) => e.id)),
    );
    const st = await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT status, count(*)::int AS n FROM deliveries WHERE subscription_id = $1 GROUP BY status`,
            [sub.id],
          )
        ).rows,
      (r) => r.length === 1 && r[0].status === 'succeeded',
    );
    expect(st).toEqual([{ status: 'succeeded', n: 20 }]);
  });

  it('disables a subscription that has only failed for longer than the configured window', async () => {
    const h2 = await startHarness({ disableAfterMs: 200, retryScheduleMs: [100, 100, 100, 100, 100, 100] });
    try {
      rx.respond = () => ({ status: 500 });
      const sub = await createSubscription(h2.pool, { url: rx.url });
      await h2.store.append([makeEvent('call.ringing')]);
      const s = await waitFor(
        async () =>
          (
            await h2.pool.query('SELECT enabled, disabled_reason FROM webhook_subscriptions WHERE id = $1', [
              sub.id,
            ])
          ).rows[0],
        (r) => r.enabled === false,
      );
      expect(s.disabled_reason).toMatch(/only failures since/);
      const log = await h2.pool.query(`SELECT severity FROM error_log WHERE code = 'SUBSCRIPTION_DISABLED'`);
      expect(log.rows).toEqual([{ severity: 'error' }]);
    } finally {
      await h2.stop();
    }
  });
});
