import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAST,
  Receiver,
  createSubscription,
  makeEvent,
  startHarness,
  waitFor,
  type Harness,
} from './harness.js';

describe('endpoint options per subscription', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ retryScheduleMs: [60_000] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('sends the extra headers, decrypted; the signature and relay headers cannot be overridden', async () => {
    const rx = await new Receiver().start();
    try {
      const sub = await createSubscription(h.pool, {
        url: rx.url,
        headers: { authorization: 'Bearer crm-token-1', 'x-tenant': 'acme' },
      });
      // A row written around the validation (the admin and the API refuse reserved names).
      await h.pool.query(
        `INSERT INTO webhook_headers (subscription_id, name, value_ciphertext) SELECT $1, 'webhook-id', value_ciphertext FROM webhook_headers WHERE subscription_id = $1 AND name = 'x-tenant'`,
        [sub.id],
      );
      const stored = await h.pool.query<{ value_ciphertext: string }>(
        `SELECT value_ciphertext FROM webhook_headers WHERE subscription_id = $1`,
        [sub.id],
      );
      expect(stored.rows.map((r) => r.value_ciphertext).join()).not.toContain('crm-token-1');
      const [ev] = await h.store.append([makeEvent('call.ringing')]);
      const [req] = await waitFor(
        () => rx.received,
        (r) => r.length === 1,
      );
      expect(req!.headers).toMatchObject({
        authorization: 'Bearer crm-token-1',
        'x-tenant': 'acme',
        'webhook-id': ev!.id,
        'user-agent': '3cx-relay-webhooks/1',
      });
    } finally {
      await rx.stop();
    }
  });

  it("gives up an attempt after the subscription's own timeout", async () => {
    const rx = await new Receiver().start();
    try {
      rx.respond = () => ({ status: 0 }); // never answers
      const sub = await createSubscription(h.pool, { url: rx.url, timeoutMs: 300 });
      await h.store.append([makeEvent('call.ringing')]);
      const [attempt] = await waitFor(
        async () =>
          (
            await h.pool.query<{ duration_ms: number; error: string }>(
              `SELECT a.duration_ms, a.error FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1`,
              [sub.id],
            )
          ).rows,
        (r) => r.length === 1,
      );
      expect(attempt!.error).toMatch(/timeout/i);
      expect(attempt!.duration_ms).toBeGreaterThanOrEqual(290);
      expect(attempt!.duration_ms).toBeLessThan(1900); // the worker default here is 2000 ms
    } finally {
      await rx.stop();
    }
  });

  it('keeps at most max-concurrency requests in flight to the endpoint', async () => {
    const rx = await new Receiver().start();
    let open = 0;
    let peak = 0;
    try {
      rx.respond = async () => {
        open++;
        peak = Math.max(peak, open);
        await new Promise((r) => setTimeout(r, 40));
        open--;
        return { status: 200 };
      };
      await createSubscription(h.pool, { url: rx.url, maxConcurrency: 2 });
      await h.store.append(Array.from({ length: 12 }, () => makeEvent('call.ringing')));
      await waitFor(
        () => rx.received.length,
        (n) => n === 12,
      );
      expect(peak).toBe(2);
    } finally {
      await rx.stop();
    }
  });

  it('gives each subscription its own concurrency when several share one origin', async () => {
    // 3 subscriptions × 32 on one receiver: 96 requests at once. The client used to pool 64
    // connections per origin, so the others queued inside it (their wait counting against
    // each attempt's timeout) and every subscription on that origin was throttled.
    const rx = await new Receiver().start();
    let open = 0;
    let peak = 0;
    let releaseAll!: () => void;
    const allOpen = new Promise<void>((r) => (releaseAll = r));
    // Held answers are released once 96 are open, or after 6 s (inside the 8 s timeout below):
    // then the peak shows how many the client allowed.
    const safety = setTimeout(releaseAll, 6000);
    try {
      rx.respond = async () => {
        open++;
        peak = Math.max(peak, open);
        if (open >= 96) releaseAll();
        await allOpen;
        open--;
        return { status: 200 };
      };
      for (const path of ['a', 'b', 'c'])
        await createSubscription(h.pool, { url: `${rx.url}/${path}`, maxConcurrency: 32, timeoutMs: 8000 });
      await h.store.append(Array.from({ length: 40 }, () => makeEvent('call.ringing')));
      await waitFor(
        () => rx.received.filter((r) => r.status === 200).length,
        (n) => n >= 120,
      );
      expect(peak).toBe(96);
    } finally {
      clearTimeout(safety);
      releaseAll();
      await rx.stop();
    }
  });

  it('spreads deliveries out to the rate limit', async () => {
    const rx = await new Receiver().start();
    try {
      await createSubscription(h.pool, { url: rx.url, rateLimitPerSecond: 10, maxConcurrency: 16 });
      await h.store.append(Array.from({ length: 12 }, () => makeEvent('call.ringing')));
      await waitFor(
        () => rx.received.length,
        (n) => n === 12,
      );
      // 12 deliveries at 10/s need more than one second however fast the receiver is.
      const span = rx.received.at(-1)!.at - rx.received[0]!.at;
      expect(span).toBeGreaterThanOrEqual(1000);
    } finally {
      await rx.stop();
    }
  });

  it('lets a fast endpoint hold more rows than its timeout alone allows, and a timing-out one no more', async () => {
    const rx = await new Receiver().start();
    try {
      const sub = await createSubscription(h.pool, { url: rx.url, maxConcurrency: 2, timeoutMs: 1000 });
      const dispatcher = h.delivery.dispatcher;
      // With its timeout alone: rounds of 1 s in 80 % of the lease (what it always was).
      const byTimeout = 2 * Math.max(1, Math.floor((0.8 * FAST.leaseMs) / 1000));
      await h.store.append(Array.from({ length: 10 }, () => makeEvent('call.ringing')));
      await waitFor(
        () => rx.received.length,
        (n) => n === 10,
      );
      // Quick answers: more rounds fit in the lease, so a short hiccup does not push new rows to the claim loop.
      await waitFor(
        () => dispatcher.backlogCap(sub.id),
        (cap) => cap > byTimeout,
      );
      rx.respond = () => ({ status: 0 }); // stops answering: attempts time out
      await h.store.append([makeEvent('call.ringing')]);
      await waitFor(
        () => dispatcher.backlogCap(sub.id),
        (cap) => cap === byTimeout,
      );
    } finally {
      await rx.stop();
    }
  });
});
