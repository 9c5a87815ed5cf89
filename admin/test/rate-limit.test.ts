import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearLoginBlocks, createDb, LOGIN_ACCOUNT_CLIENT_PREFIX } from '@3cx-relay/db';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import {
  blockedFor,
  claimAttempt,
  clearFailures,
  releaseAttempt,
  takeQuota,
  type LimitRule,
} from '../src/lib/auth/rate-limit.js';
import {
  ACCOUNT_CLIENT,
  ACCOUNT_CLIENT_FREE_FAILURES,
  CLIENT_FREE_FAILURES,
  loginRules,
} from '../src/lib/auth/login-limits.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('admin_rl');
});
afterAll(async () => {
  await t.drop();
});

const rule = (key: string, freeFailures = 5): LimitRule => ({ key, freeFailures });

describe('login rate limit', () => {
  it('blocks from the 5th failure on with a delay that doubles per further failure', async () => {
    const db = t.db();
    const now = new Date('2026-11-24T10:00:00Z');
    const r = rule('t:a');
    for (let i = 0; i < 4; i++) expect(await claimAttempt(db, [r], now)).toBe(0);
    expect(await blockedFor(db, r.key, now)).toBe(0);
    expect(await claimAttempt(db, [r], now)).toBe(0);
    expect(await blockedFor(db, r.key, now)).toBe(30_000);
    // while blocked, an attempt is refused and charged nothing
    expect(await claimAttempt(db, [r], now)).toBe(30_000);
    const later = new Date(now.getTime() + 30_000);
    expect(await claimAttempt(db, [r], later)).toBe(0);
    expect(await blockedFor(db, r.key, later)).toBe(60_000);
  });

  it('a parallel burst gets exactly the free attempts, not one guess more', async () => {
    const db = t.db();
    const rules = loginRules('burst@relay.test', '198.51.100.7');
    const waits = await Promise.all(Array.from({ length: 40 }, () => claimAttempt(db, rules)));
    expect(waits.filter((w) => w === 0)).toHaveLength(ACCOUNT_CLIENT_FREE_FAILURES);
    expect(waits.filter((w) => w > 0)).toHaveLength(40 - ACCOUNT_CLIENT_FREE_FAILURES);
  });

  it('blocks the account only for the client that failed: the same account from elsewhere still gets in', async () => {
    const db = t.db();
    const attacker = loginRules('admin@localhost', '203.0.113.66');
    for (let i = 0; i < 10; i++) await claimAttempt(db, attacker);
    expect(await claimAttempt(db, attacker)).toBeGreaterThan(0);
    expect(await claimAttempt(db, loginRules('admin@localhost', '192.0.2.10'))).toBe(0);
  });

  it('throttles one client across accounts after 20 failures', async () => {
    const db = t.db();
    for (let i = 0; i < CLIENT_FREE_FAILURES; i++)
      expect(await claimAttempt(db, loginRules(`user${i}@relay.test`, '203.0.113.99'))).toBe(0);
    expect(await claimAttempt(db, loginRules('fresh@relay.test', '203.0.113.99'))).toBeGreaterThan(0);
  });

  it('a success gives the shared client counter its attempt back, lifting the block it set', async () => {
    const db = t.db();
    const r = rule('t:shared', 2);
    expect(await claimAttempt(db, [r])).toBe(0);
    expect(await claimAttempt(db, [r])).toBe(0);
    expect(await blockedFor(db, r.key)).toBeGreaterThan(0);
    await releaseAttempt(db, r);
    expect(await blockedFor(db, r.key)).toBe(0);
  });

  it('keeps the block in the database, so a new client (a restarted panel) sees it', async () => {
    const r = rule('t:persist');
    for (let i = 0; i < 5; i++) await claimAttempt(t.db(), [r]);
    const other = createDb(t.url, { max: 1 });
    try {
      expect(await blockedFor(other, r.key)).toBeGreaterThan(25_000);
    } finally {
      await other.$disconnect();
    }
  });

  it('caps the delay at 15 minutes and forgets failures older than an hour', async () => {
    const db = t.db();
    const r = rule('t:cap', 1);
    let now = new Date('2026-11-24T12:00:00Z');
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      expect(await claimAttempt(db, [r], now)).toBe(0);
      delays.push(await blockedFor(db, r.key, now));
      now = new Date(now.getTime() + delays.at(-1)!);
    }
    expect(delays).toEqual([30, 60, 120, 240, 480, 900].map((s) => s * 1000));
    const later = new Date(now.getTime() + 61 * 60_000);
    expect(await claimAttempt(db, [rule('t:cap', 2)], later)).toBe(0);
    expect(await blockedFor(db, r.key, later)).toBe(0);
  });

  it('clearFailures lifts the block', async () => {
    const db = t.db();
    const r = rule('t:c');
    for (let i = 0; i < 5; i++) await claimAttempt(db, [r]);
    await clearFailures(db, r.key);
    expect(await blockedFor(db, r.key)).toBe(0);
  });

  it("a password reset (the db package's clearLoginBlocks) lifts the account's blocks from every client", async () => {
    const db = t.db();
    expect(ACCOUNT_CLIENT).toBe(LOGIN_ACCOUNT_CLIENT_PREFIX);
    for (const client of ['203.0.113.1', '203.0.113.2'])
      for (let i = 0; i < 5; i++) await claimAttempt(db, loginRules('reset@relay.test', client));
    await claimAttempt(db, loginRules('other@relay.test', '203.0.113.1'));
    expect(await clearLoginBlocks(db, 'RESET@relay.test')).toBe(2);
    expect(await claimAttempt(db, [loginRules('reset@relay.test', '203.0.113.1')[0]])).toBe(0);
    expect(await blockedFor(db, loginRules('other@relay.test', '203.0.113.1')[0].key)).toBe(0);
    expect(
      await db.rateLimit.count({ where: { key: loginRules('other@relay.test', '203.0.113.1')[0].key } }),
    ).toBe(1);
  });
});

describe('quota', () => {
  it('allows `limit` uses per window, then reports the wait until the window ends', async () => {
    const db = t.db();
    const start = new Date('2026-11-24T10:00:00Z');
    for (let i = 0; i < 3; i++) expect(await takeQuota(db, 'apikey-create:user:u', 3, 60_000, start)).toBe(0);
    expect(await takeQuota(db, 'apikey-create:user:u', 3, 60_000, new Date(start.getTime() + 10_000))).toBe(
      50_000,
    );
    expect(await takeQuota(db, 'apikey-create:user:u', 3, 60_000, new Date(start.getTime() + 60_000))).toBe(
      0,
    );
  });
});
