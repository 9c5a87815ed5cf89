import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from './claim-due-deliveries.js';
import { DeliveryLanes } from './delivery-lanes.js';

const row = (seq: number, prev: number): ClaimedDelivery => ({
  id: `d${seq}`,
  subscriptionId: 's',
  attemptCount: 0,
  trigger: 'scheduled',
  createdAt: new Date(0),
  eventSequence: String(seq),
  eventId: `e${seq}`,
  eventType: 'call.ringing',
  occurredAt: new Date(0),
  dataJson: '{}',
  orderKey: 'call:1',
  eventOrderKey: 'call:1',
  prevSequence: String(prev),
  leaseUntil: Number.MAX_SAFE_INTEGER,
});

describe('DeliveryLanes', () => {
  it('sends a call one row at a time, in sequence order', () => {
    const started: string[] = [];
    const lanes = new DeliveryLanes((d) => started.push(d.eventSequence));
    expect(lanes.add(row(88, 58), false)).toBe(true);
    expect(lanes.add(row(118, 88), true)).toBe(true);
    expect(started).toEqual(['88']);
    expect(lanes.settle(row(88, 58), true)).toEqual([]);
    expect(started).toEqual(['88', '118']);
  });

  it('refuses a joined row whose lane is gone, and a later one whose previous row the lane never took', () => {
    const started: string[] = [];
    const lanes = new DeliveryLanes((d) => started.push(d.eventSequence));
    // 118 reaches the dispatcher before the claim that brings 88: refused, handed back.
    expect(lanes.add(row(118, 88), true)).toBe(false);
    expect(lanes.add(row(88, 58), false)).toBe(true);
    // 148 joins behind 88, but 118 (its previous event) is not in this lane: it must wait.
    expect(lanes.add(row(148, 118), true)).toBe(false);
    lanes.settle(row(88, 58), true);
    expect(started).toEqual(['88']);
  });

  it('ends a lane whose head waits for a retry and hands its other rows back', () => {
    const lanes = new DeliveryLanes(() => undefined);
    lanes.add(row(88, 58), false);
    lanes.add(row(118, 88), true);
    expect(lanes.settle(row(88, 58), false).map((d) => d.eventSequence)).toEqual(['118']);
    expect(lanes.size).toBe(0);
  });
});
