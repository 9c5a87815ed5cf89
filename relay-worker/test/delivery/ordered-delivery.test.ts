import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '@3cx-relay/events';
import {
  Receiver,
  createSubscription,
  inShare,
  makeEvent,
  orderReport,
  startHarness,
  waitFor,
  type Harness,
} from './harness.js';

/** `n` events of one call, in the order a call produces them. */
function callEvents(callId: string, n: number): NewEvent[] {
  const types: NewEvent['type'][] = [
    'call.ringing',
    'call.ringing',
    'call.answered',
    'call.transferred',
    'call.ended',
    'call.missed',
  ];
  return Array.from({ length: n }, (_, i) => makeEvent(types[i % types.length]!, { callId }));
}

const idOf = (r: { headers: Record<string, unknown> }) => String(r.headers['webhook-id']);

describe('per-call ordered delivery', () => {
  let h: Harness;
  beforeAll(async () => {
    // Many short retries: a receiver can refuse an event for as long as a test needs.
    h = await startHarness({ retryScheduleMs: Array.from({ length: 40 }, () => 100) });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('holds the later events of a call behind its retried call.ringing, and only those', async () => {
    const rx = await new Receiver().start();
    try {
      await createSubscription(h.pool, { url: rx.url, ordering: 'per-call' });
      const [a1, a2, a3] = callEvents('order-a', 3);
      const [b1, b2] = callEvents('order-b', 2);
      // a1 is refused until the other call's events are through: they must not wait for it.
      let bDone = false;
      rx.respond = (r) => {
        if (idOf(r) === a1!.id && !bDone) return { status: 503 };
        return { status: 200 };
      };
      await h.store.append([a1!]);
      await waitFor(
        () => rx.received.filter((r) => idOf(r) === a1!.id).length,
        (n) => n >= 1,
      );
      await h.store.append([b1!, a2!]);
      await h.store.append([a3!, b2!]);
      await waitFor(
        () => orderReport(rx.received).byKey.get('call:order-b')?.length ?? 0,
        (n) => n === 2,
      );
      // While a1 waits for its retry, nothing later of call a was even attempted.
      expect(rx.received.filter((r) => [a2!.id, a3!.id].includes(idOf(r)))).toEqual([]);
      bDone = true;
      await waitFor(
        () => orderReport(rx.received).accepted,
        (n) => n === 5,
        15_000,
      );
      const report = orderReport(rx.received);
      expect(report.violations).toEqual([]);
      expect(report.byKey.get('call:order-a')?.map(String)).toEqual(
        [a1, a2, a3].map((e) => rx.received.find((r) => idOf(r) === e!.id)!.headers['relay-sequence']),
      );
    } finally {
      await rx.stop();
    }
  });

  it('every delivery names its sequence, its call and the previous sequence routed to this subscription', async () => {
    const rx = await new Receiver().start();
    try {
      // Only extension 101: the call's event for 102 is not routed here, so the chain skips it.
      await createSubscription(h.pool, { url: rx.url, ordering: 'per-call', extensions: ['101'] });
      const ring101 = makeEvent('call.ringing', { callId: 'chain', extensions: ['101'] });
      const ring102 = makeEvent('call.ringing', { callId: 'chain', extensions: ['102'] });
      const ended = makeEvent('call.ended', { callId: 'chain', extensions: ['101', '102'] });
      const cdr = makeEvent('cdr.created', { callId: null, callHistoryId: 'h-1', extensions: ['101'] });
      const completed = makeEvent('call.completed', {
        callId: 'chain',
        callHistoryId: 'h-1',
        extensions: ['101'],
      });
      const stored = await h.store.append([ring101, ring102]);
      stored.push(...(await h.store.append([ended, cdr])), ...(await h.store.append([completed])));
      const seq = (id: string) => stored.find((e) => e.id === id)!.sequence.toString();
      await waitFor(
        () => rx.received.length,
        (n) => n === 4,
      );
      const headers = (id: string) => rx.received.find((r) => idOf(r) === id)!.headers;
      expect(headers(ring101.id)).toMatchObject({
        'relay-sequence': seq(ring101.id),
        'relay-order-key': 'call:chain',
        'relay-previous-sequence': '0',
      });
      expect(headers(ended.id)).toMatchObject({
        'relay-sequence': seq(ended.id),
        'relay-order-key': 'call:chain',
        'relay-previous-sequence': seq(ring101.id), // not ring102's: that one went elsewhere
      });
      // CDR-side events are ordered by call history, whatever live callid they carry.
      expect(headers(cdr.id)).toMatchObject({
        'relay-order-key': 'history:h-1',
        'relay-previous-sequence': '0',
      });
      expect(headers(completed.id)).toMatchObject({
        'relay-order-key': 'history:h-1',
        'relay-previous-sequence': seq(cdr.id),
      });
      expect(headers(ended.id).traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    } finally {
      await rx.stop();
    }
  });

  it('a receiver refusing the first attempt of a fifth of the deliveries sees every call in order, nothing lost', async () => {
    const rx = await new Receiver().start();
    try {
      await createSubscription(h.pool, { url: rx.url, ordering: 'per-call', maxConcurrency: 8 });
      rx.respond = (r) =>
        inShare(idOf(r), 0.2) && !rx.received.slice(0, -1).some((p) => idOf(p) === idOf(r))
          ? { status: 500 }
          : { status: 200 };
      const calls = Array.from({ length: 30 }, (_, i) => callEvents(`mix-${i}`, 6));
      // Interleave the calls, a few events per append, as a busy PBX does.
      const all = calls.flatMap((_, i) => calls.map((c) => c[i]).filter(Boolean)) as NewEvent[];
      for (let i = 0; i < all.length; i += 7) await h.store.append(all.slice(i, i + 7));
      await waitFor(
        () => orderReport(rx.received).accepted,
        (n) => n === all.length,
        30_000,
      );
      const report = orderReport(rx.received);
      expect(report.violations).toEqual([]);
      expect(report.byKey.size).toBe(30);
      expect(rx.received.filter((r) => r.status === 500).length).toBeGreaterThan(10);
    } finally {
      await rx.stop();
    }
  });

  it('two workers sharing the outbox keep every call in order', async () => {
    const second = await startHarness({ retryScheduleMs: Array.from({ length: 40 }, () => 100) }, { t: h.t });
    const rx = await new Receiver().start();
    try {
      await createSubscription(h.pool, { url: rx.url, ordering: 'per-call', maxConcurrency: 4 });
      await h.delivery.subscriptions.reload();
      await second.delivery.subscriptions.reload();
      rx.respond = (r) =>
        inShare(idOf(r), 0.25) && !rx.received.slice(0, -1).some((p) => idOf(p) === idOf(r))
          ? { status: 503 }
          : { status: 200 };
      const calls = Array.from({ length: 20 }, (_, i) => callEvents(`pair-${i}`, 6));
      const all = calls.flatMap((_, i) => calls.map((c) => c[i]).filter(Boolean)) as NewEvent[];
      // Each worker appends every other batch: the events of one call come from both.
      for (let i = 0; i < all.length; i += 5) {
        const store = (i / 5) % 2 === 0 ? h.store : second.store;
        await store.append(all.slice(i, i + 5));
      }
      await waitFor(
        () => orderReport(rx.received).accepted,
        (n) => n === all.length,
        30_000,
      );
      expect(orderReport(rx.received).violations).toEqual([]);
      // Both took part.
      expect(h.metrics.totals.deliveriesSucceeded).toBeGreaterThan(0);
      expect(second.metrics.totals.deliveriesSucceeded).toBeGreaterThan(0);
    } finally {
      await rx.stop();
      await second.stop();
    }
  });

  it('keeps a call in order when a later append is handed over before an earlier one (a slow subscription lookup)', async () => {
    const rx = await new Receiver().start();
    const subs = h.delivery.subscriptions;
    const getMany = subs.getMany.bind(subs);
    try {
      // Only this test's rows in the outbox, so the one slow lookup below is e2's.
      await h.pool.query('DELETE FROM webhook_subscriptions');
      await subs.reload();
      const sub = await createSubscription(h.pool, { url: rx.url, ordering: 'per-call' });
      let answerFirst: () => void = () => undefined;
      rx.respond = (_r, n) =>
        n === 1 ? new Promise((resolve) => (answerFirst = () => resolve({ status: 200 }))) : { status: 200 };
      const [e1, e2, e3] = callEvents('slow-lookup', 3) as [NewEvent, NewEvent, NewEvent];
      await h.store.append([e1]);
      await waitFor(
        () => rx.received.length,
        (n) => n === 1,
      ); // e1 in flight: its lane is busy
      // The next lookup waits (a subscription not loaded yet, a slow database): e2's hand-over
      // stalls there while e3's, which finds it loaded, does not.
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      let armed = true;
      subs.getMany = async (ids) => {
        if (armed) {
          armed = false;
          await gate;
        }
        return getMany(ids);
      };
      await h.store.append([e2]);
      await h.store.append([e3]);
      answerFirst();
      const recorded = async () =>
        (
          await h.pool.query<{ status: string }>(
            `SELECT d.status FROM deliveries d JOIN events e ON e.sequence = d.event_sequence
              WHERE e.id = $1 AND d.subscription_id = $2`,
            [e1.id, sub.id],
          )
        ).rows[0]?.status;
      await waitFor(recorded, (s) => s === 'succeeded'); // e1 settled: its lane moved on (or ended)
      open();
      await waitFor(
        () => orderReport(rx.received).accepted,
        (n) => n === 3,
      );
      expect(rx.received.filter((r) => r.status === 200).map(idOf)).toEqual([e1.id, e2.id, e3.id]);
    } finally {
      subs.getMany = getMany;
      await rx.stop();
    }
  });
});
