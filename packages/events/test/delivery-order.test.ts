import { describe, expect, it } from 'vitest';
import {
  histogramPercentile,
  latencyBucket,
  mergeHistograms,
  orderKeyOf,
  LATENCY_BUCKETS,
} from '../src/index.js';

describe('orderKeyOf', () => {
  it('orders live call events by callid and CDR-side events by call history', () => {
    expect(orderKeyOf({ type: 'call.ringing', callId: '1264' })).toBe('call:1264');
    expect(orderKeyOf({ type: 'call.ended', callId: '1264', callHistoryId: 'h' })).toBe('call:1264');
    expect(orderKeyOf({ type: 'cdr.created', callId: null, callHistoryId: 'h' })).toBe('history:h');
    expect(orderKeyOf({ type: 'call.completed', callId: '1264', callHistoryId: 'h' })).toBe('history:h');
  });
  it('gives events of no call no key', () => {
    expect(orderKeyOf({ type: 'relay.status_changed' })).toBeNull();
    expect(orderKeyOf({ type: 'subscription.failing' })).toBeNull();
    expect(orderKeyOf({ type: 'call.ringing', callId: null })).toBeNull();
  });
});

describe('latency histograms', () => {
  it('puts each duration in the bucket of the first bound at or above it', () => {
    expect(latencyBucket(0.4)).toBe(0);
    expect(latencyBucket(1)).toBe(0);
    expect(latencyBucket(1.01)).toBe(1);
    expect(latencyBucket(99)).toBe(11); // (75, 100]
    expect(latencyBucket(10 ** 6)).toBe(LATENCY_BUCKETS - 1);
  });
  it('reads percentiles within a bucket, over merged histograms', () => {
    const a = new Array<number>(LATENCY_BUCKETS).fill(0);
    const b = new Array<number>(LATENCY_BUCKETS).fill(0);
    a[latencyBucket(4)] = 90; // (3, 5]
    b[latencyBucket(180)] = 10; // (150, 200]
    const h = mergeHistograms([a, b, null]);
    const p50 = histogramPercentile(h, 50)!;
    expect(p50).toBeGreaterThan(3);
    expect(p50).toBeLessThanOrEqual(5);
    const p95 = histogramPercentile(h, 95)!;
    expect(p95).toBeGreaterThan(150);
    expect(p95).toBeLessThanOrEqual(200);
    expect(histogramPercentile(mergeHistograms([]), 50)).toBeNull();
  });
});
