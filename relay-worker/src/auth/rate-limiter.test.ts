import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a minute of burst, then answers with seconds until the next token', () => {
    const r = new RateLimiter(60);
    for (let i = 0; i < 60; i++) expect(r.take('k', null, 0).ok).toBe(true);
    expect(r.take('k', null, 0)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(r.take('k', null, 1000).ok).toBe(true);
  });
  it("uses the key's own limit over the default and keeps keys apart", () => {
    const r = new RateLimiter(1000);
    expect(r.take('a', 1, 0).ok).toBe(true);
    expect(r.take('a', 1, 0)).toEqual({ ok: false, retryAfterSec: 60 });
    expect(r.take('b', 1, 0).ok).toBe(true);
  });
  it('refund gives a token back, never past the bucket size', () => {
    const r = new RateLimiter(2);
    expect(r.take('k', null, 0).ok).toBe(true);
    expect(r.take('k', null, 0).ok).toBe(true);
    r.refund('k', null);
    expect(r.take('k', null, 0).ok).toBe(true);
    r.refund('k', null);
    r.refund('k', null);
    r.refund('k', null);
    expect([r.take('k', null, 0).ok, r.take('k', null, 0).ok, r.take('k', null, 0).ok]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
