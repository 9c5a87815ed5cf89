import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '@3cx-relay/db';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import {
  blockedFor,
  clearFailures,
  FREE_FAILURES,
  recordFailure,
  takeQuota,
} from '../src/lib/auth/rate-limit.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('admin_rl');
});
afterAll(async () => {
  await t.drop();
});

describe('login rate limit', () => {
  it('blocks after 5 failures with a delay that doubles per further failure', async () => {
    const db = t.db();
    const now = new Date('2026-11-24T10:00:00Z');
    for (let i = 0; i < FREE_FAILURES - 1; i++) await recordFailure(db, 'login:account:a', now);
    expect(await blockedFor(db, 'login:account:a', now)).toBe(0);
    await recordFailure(db, 'login:account:a', now);
    expect(await blockedFor(db, 'login:account:a', now)).toBe(30_000);
    await recordFailure(db, 'login:account:a', now);
    expect(await blockedFor(db, 'login:account:a', now)).toBe(60_000);
    await recordFailure(db, 'login:account:a', now);
    expect(await blockedFor(db, 'login:account:a', now)).toBe(120_000);
  });

  it('keeps the block in the database, so a new client (a restarted panel) sees it', async () => {
    const now = new Date();
    for (let i = 0; i < FREE_FAILURES; i++) await recordFailure(t.db(), 'login:ip:10.0.0.9', now);
    const other = createDb(t.url, { max: 1 });
    try {
      expect(await blockedFor(other, 'login:ip:10.0.0.9')).toBeGreaterThan(25_000);
    } finally {
      await other.$disconnect();
    }
  });

  it('caps the delay at 15 minutes and forgets failures older than an hour', async () => {
    const db = t.db();
    const now = new Date('2026-11-24T12:00:00Z');
    for (let i = 0; i < 20; i++) await recordFailure(db, 'login:account:cap', now);
    expect(await blockedFor(db, 'login:account:cap', now)).toBe(15 * 60_000);
    const later = new Date(now.getTime() + 61 * 60_000);
    await recordFailure(db, 'login:account:cap', later);
    expect(await blockedFor(db, 'login:account:cap', later)).toBe(0);
  });

  it('clearFailures lifts the block', async () => {
    const db = t.db();
    for (let i = 0; i < FREE_FAILURES; i++) await recordFailure(db, 'login:account:c');
    await clearFailures(db, 'login:account:c');
    expect(await blockedFor(db, 'login:account:c')).toBe(0);
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
