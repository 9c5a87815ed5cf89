import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE_MS, RetryPolicy, parseRetryAfter, parseSchedule } from './retry-policy.js';

describe('RetryPolicy', () => {
  it('follows the Svix schedule: 8 attempts, last gap 10 h', () => {
    const p = new RetryPolicy({ jitter: 0 });
    expect(p.maxAttempts).toBe(8);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => p.nextDelayMs(n))).toEqual(DEFAULT_RETRY_SCHEDULE_MS);
    expect(p.nextDelayMs(8)).toBeNull();
  });

  it('applies at most ±20 % jitter', () => {
    expect(new RetryPolicy({ random: () => 0 }).nextDelayMs(1)).toBe(4000);
    expect(new RetryPolicy({ random: () => 0.999999 }).nextDelayMs(1)).toBe(6000);
    expect(new RetryPolicy({ random: () => 0.5 }).nextDelayMs(2)).toBe(300_000);
  });

  it('clamps Retry-After to [base, 2 × base]', () => {
    const p = new RetryPolicy({ scheduleMs: [1000, 2000] });
    expect(p.nextDelayMs(1, 0)).toBe(1000);
    expect(p.nextDelayMs(1, 1500)).toBe(1500);
    expect(p.nextDelayMs(1, 3_600_000)).toBe(2000);
    expect(p.nextDelayMs(3, 1500)).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});

describe('parseSchedule', () => {
  it('reads units and plain milliseconds', () => {
    expect(parseSchedule('5s, 5m,2h,100')).toEqual([5000, 300_000, 7_200_000, 100]);
    expect(() => parseSchedule('5 parsecs')).toThrow(/bad duration/);
  });
});
