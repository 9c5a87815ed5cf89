import type { Db } from '@3cx-relay/db';

/** Failures allowed before the delay starts. */
export const FREE_FAILURES = 5;
/** First delay after the free failures, doubled per further failure. */
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 15 * 60_000;
/** Failures older than this are forgotten. */
const WINDOW_MS = 60 * 60_000;

/** Milliseconds until `key` may try again; 0 when it is not blocked. */
export async function blockedFor(db: Db, key: string, now = new Date()): Promise<number> {
  const row = await db.rateLimit.findUnique({ where: { key } });
  if (!row?.blockedUntil) return 0;
  return Math.max(0, row.blockedUntil.getTime() - now.getTime());
}

/**
 * Counts one failure for `key` (persisted, so it survives a restart). From the
 * {@link FREE_FAILURES}th failure on, the key is blocked for 30 s, 60 s, 120 s … up to 15 min.
 */
export async function recordFailure(db: Db, key: string, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    // The window starts at `now` (the app's clock), never at the database's now(): the two
    // clocks may differ, and a window that starts in the future would never expire.
    await tx.$executeRaw`INSERT INTO rate_limits (key, failures, window_start) VALUES (${key}, 0, ${now}) ON CONFLICT (key) DO NOTHING`;
    const [row] = await tx.$queryRaw<{ failures: number; window_start: Date }[]>`
      SELECT failures, window_start FROM rate_limits WHERE key = ${key} FOR UPDATE`;
    const fresh = !row || now.getTime() - row.window_start.getTime() > WINDOW_MS;
    const failures = fresh ? 1 : row.failures + 1;
    const over = failures - FREE_FAILURES;
    const blockedUntil =
      over >= 0 ? new Date(now.getTime() + Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** over)) : null;
    await tx.rateLimit.update({
      where: { key },
      data: { failures, windowStart: fresh ? now : row.window_start, blockedUntil },
    });
  });
}

/** Forgets the failures of `key` (after a successful login). */
export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.rateLimit.deleteMany({ where: { key } });
}

/**
 * A fixed-window quota (e.g. API key generation): at most `limit` uses per `windowMs`.
 * Returns the ms to wait when the quota is used up, else counts the use and returns 0.
 */
export async function takeQuota(
  db: Db,
  key: string,
  limit: number,
  windowMs: number,
  now = new Date(),
): Promise<number> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`INSERT INTO rate_limits (key, failures, window_start) VALUES (${key}, 0, ${now}) ON CONFLICT (key) DO NOTHING`;
    const [row] = await tx.$queryRaw<{ failures: number; window_start: Date }[]>`
      SELECT failures, window_start FROM rate_limits WHERE key = ${key} FOR UPDATE`;
    const expired = !row || now.getTime() - row.window_start.getTime() >= windowMs;
    const used = expired ? 0 : row.failures;
    if (used >= limit) return row!.window_start.getTime() + windowMs - now.getTime();
    await tx.rateLimit.update({
      where: { key },
      data: { failures: used + 1, windowStart: expired ? now : row.window_start },
    });
    return 0;
  });
}
