import type { Db } from '@3cx-relay/db';

/** First delay after the free failures, doubled per further failure. */
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 15 * 60_000;
/**
 * How long an attempt may queue for a database connection, and run, before it fails (closed:
 * the login is refused). Prisma's defaults (2 s to start, 5 s to run) turned a burst of logins
 * on a loaded machine into errors; the attempts now wait their turn, which also slows a flood.
 */
const TX_OPTIONS = { maxWait: 15_000, timeout: 15_000 };
/** Failures older than this are forgotten. */
export const WINDOW_MS = 60 * 60_000;

/** One counter an attempt is charged to, and how many failures it allows before blocking. */
export interface LimitRule {
  key: string;
  freeFailures: number;
}

interface Row {
  key: string;
  failures: number;
  window_start: Date;
  blocked_until: Date | null;
}

/** The block a key gets at its `failures`th failure (null while failures stay free). */
function blockFor(failures: number, free: number, now: Date): Date | null {
  const over = failures - free;
  return over >= 0 ? new Date(now.getTime() + Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** over)) : null;
}

/** Milliseconds until `key` may try again; 0 when it is not blocked. */
export async function blockedFor(db: Db, key: string, now = new Date()): Promise<number> {
  const row = await db.rateLimit.findUnique({ where: { key } });
  if (!row?.blockedUntil) return 0;
  return Math.max(0, row.blockedUntil.getTime() - now.getTime());
}

/**
 * Checks and charges one attempt in one transaction, with every key's row locked: when a key is
 * blocked, returns the ms to wait and charges nothing; otherwise counts the attempt as a failure
 * of every rule *before* the password is checked (a success gives it back with
 * {@link clearFailures} / {@link releaseAttempt}). So a parallel burst gets exactly the free
 * failures and not one guess more: each attempt sees the count of the ones before it. From a
 * rule's `freeFailures`th failure within an hour on, its key is blocked for 30 s, 60 s, 120 s …
 * up to 15 min. The state is persisted, so it survives a restart.
 */
export async function claimAttempt(db: Db, rules: LimitRule[], now = new Date()): Promise<number> {
  const byKey = new Map(rules.map((r) => [r.key, r]));
  const keys = [...byKey.keys()].sort();
  return db.$transaction(async (tx) => {
    // The window starts at `now` (the app's clock), never at the database's now(): the two
    // clocks may differ, and a window that starts in the future would never expire.
    await tx.$executeRaw`INSERT INTO rate_limits (key, failures, window_start)
      SELECT k, 0, ${now} FROM unnest(${keys}::text[]) AS k ORDER BY k ON CONFLICT (key) DO NOTHING`;
    const rows = await tx.$queryRaw<Row[]>`SELECT key, failures, window_start, blocked_until
      FROM rate_limits WHERE key = ANY(${keys}::text[]) ORDER BY key FOR UPDATE`;
    const wait = Math.max(0, ...rows.map((r) => (r.blocked_until?.getTime() ?? 0) - now.getTime()));
    if (wait > 0) return wait;
    for (const row of rows) {
      const fresh = now.getTime() - row.window_start.getTime() > WINDOW_MS;
      const failures = fresh ? 1 : row.failures + 1;
      await tx.rateLimit.update({
        where: { key: row.key },
        data: {
          failures,
          windowStart: fresh ? now : row.window_start,
          blockedUntil: blockFor(failures, byKey.get(row.key)!.freeFailures, now),
        },
      });
    }
    return 0;
  }, TX_OPTIONS);
}

/**
 * Gives back the failure {@link claimAttempt} charged to a shared counter (a client's, across
 * accounts) after the attempt succeeded, lifting the block that charge set.
 */
export async function releaseAttempt(db: Db, rule: LimitRule): Promise<void> {
  await db.$executeRaw`UPDATE rate_limits
      SET failures = greatest(failures - 1, 0),
          blocked_until = CASE WHEN failures - 1 >= ${rule.freeFailures} THEN blocked_until END,
          updated_at = now()
    WHERE key = ${rule.key}`;
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
  }, TX_OPTIONS);
}
