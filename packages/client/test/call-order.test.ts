import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallOrderTracker, readDeliveryOrder, verifyWebhook, type OrderVerdict } from '../src/index.js';
import { ringing } from './support/valid-events.js';
import {
  Receiver,
  createSubscription,
  startHarness,
  waitFor,
  type Harness,
} from '../../../relay-worker/test/delivery/harness.js';

const headers = (sequence: number, previous: number, key = 'call:1264') => ({
  'relay-sequence': String(sequence),
  'relay-order-key': key,
  'relay-previous-sequence': String(previous),
});

describe('CallOrderTracker', () => {
  it('tells in-order deliveries, gaps, late ones and duplicates apart, per call', () => {
    const t = new CallOrderTracker();
    const verdicts = [
      t.check(headers(10, 0)), // first of call 1264
      t.check(headers(12, 10)), // next
      t.check(headers(11, 0, 'call:1265')), // another call, in order
      t.check(headers(12, 10)), // the same again
      t.check(headers(20, 15)), // 15 never arrived
      t.check(headers(15, 12)), // ... arrives late
      t.check({ 'relay-sequence': '30' }), // relay.* event: no call
    ].map((c) => c.verdict);
    expect(verdicts).toEqual<OrderVerdict[]>([
      'in_order',
      'in_order',
      'in_order',
      'duplicate',
      'gap',
      'late',
      'unordered',
    ]);
    expect(new CallOrderTracker().check(headers(20, 15)).missing).toEqual({ after: 0n, through: 15n });
  });

  it('reads the headers from Fetch Headers and plain objects, and is empty without them', () => {
    expect(readDeliveryOrder(new Headers(headers(7, 3)))).toEqual({
      sequence: 7n,
      orderKey: 'call:1264',
      previousSequence: 3n,
    });
    expect(readDeliveryOrder({ 'Relay-Sequence': '7' })).toEqual({
      sequence: 7n,
      orderKey: null,
      previousSequence: null,
    });
    expect(readDeliveryOrder({ 'relay-sequence': 'x' })).toBeNull();
    expect(new CallOrderTracker().check(null).verdict).toBe('unordered');
  });

  it('forgets the least recently seen calls beyond maxKeys', () => {
    const t = new CallOrderTracker({ maxKeys: 2 });
    t.check(headers(1, 0, 'call:a'));
    t.check(headers(2, 0, 'call:b'));
    t.check(headers(3, 0, 'call:c')); // call:a is forgotten
    expect(t.check(headers(4, 1, 'call:a')).verdict).toBe('gap');
  });
});

describe('CallOrderTracker against the relay', () => {
  let h: Harness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await startHarness({ retryScheduleMs: [100, 100, 100] });
    rx = await new Receiver().start();
  });
  afterAll(async () => {
    await rx?.stop();
    await h?.stop();
  });

  it('sees a call in order, and a gap where the receiver dropped an event for good', async () => {
    const sub = await createSubscription(h.pool, { url: rx.url, ordering: 'per-call' });
    const tracker = new CallOrderTracker();
    // Four endpoints of one call start ringing (valid events: the kit checks their schema).
    const [first, dropped, third, fourth] = ['101', '102', '103', '104'].map((ext) => {
      const e = ringing(ext);
      return { ...e, callId: 'kit', data: { ...e.data, callId: 'kit' } };
    });
    const verdicts: string[] = [];
    rx.respond = async (r) => {
      const event = await verifyWebhook(r.body, r.headers, { secrets: sub.secrets });
      if (event.id === dropped!.id) return { status: 422, headers: { 'webhook-delivery': 'abort-message' } };
      if (event.type === 'call.ringing')
        verdicts.push(`${event.data.extension} ${tracker.check(event.order).verdict}`);
      return { status: 204 };
    };
    await h.store.append([first!, dropped!]);
    await h.store.append([third!, fourth!]);
    await waitFor(
      () => verdicts.length,
      (n) => n === 3,
    );
    expect(verdicts).toEqual(['101 in_order', '103 gap', '104 in_order']);
  });
});
