import { describe, expect, it } from 'vitest';
import { decideOutcome } from './decide-outcome.js';
import { RetryPolicy } from './retry-policy.js';
import type { SendResult } from './webhook-client.js';

const policy = new RetryPolicy({ scheduleMs: [1000, 2000], jitter: 0 });
const res = (p: Partial<SendResult>): SendResult => ({
  statusCode: 200,
  durationMs: 1,
  excerpt: null,
  error: null,
  errorKind: null,
  retryAfterMs: null,
  deliveryControl: null,
  ...p,
});

describe('decideOutcome', () => {
  it('treats 2xx as success and 3xx as failure', () => {
    expect(decideOutcome(res({ statusCode: 204 }), 1, policy).status).toBe('succeeded');
    expect(decideOutcome(res({ statusCode: 301 }), 1, policy, 0)).toMatchObject({
      status: 'pending',
      nextAttemptAt: new Date(1000),
    });
  });
  it('retries connect errors and gives up after the schedule', () => {
    expect(
      decideOutcome(res({ statusCode: null, errorKind: 'connect' }), 2, policy, 0).nextAttemptAt,
    ).toEqual(new Date(2000));
    expect(decideOutcome(res({ statusCode: 500 }), 3, policy).status).toBe('failed');
  });
  it('disables the subscription on 410 and on webhook-delivery: disable', () => {
    expect(decideOutcome(res({ statusCode: 410 }), 1, policy)).toMatchObject({
      status: 'failed',
      disableSubscription: expect.stringMatching(/410/),
    });
    expect(decideOutcome(res({ statusCode: 200, deliveryControl: 'disable' }), 1, policy)).toMatchObject({
      status: 'succeeded',
      disableSubscription: expect.any(String),
    });
  });
  it('stops one message on webhook-delivery: abort-message', () => {
    expect(decideOutcome(res({ statusCode: 500, deliveryControl: 'abort-message' }), 1, policy).status).toBe(
      'failed',
    );
  });
  it('honours Retry-After within bounds', () => {
    expect(decideOutcome(res({ statusCode: 429, retryAfterMs: 1500 }), 1, policy, 0).nextAttemptAt).toEqual(
      new Date(1500),
    );
  });
});
