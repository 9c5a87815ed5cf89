import bcrypt from 'bcrypt';
import { db } from '@/lib/db';
import { audit } from '@/lib/audit';
import { AppError } from '@/lib/api/app-error';
import { clientIp } from '@/lib/api/request-info';
import { blockedFor, clearFailures, recordFailure } from './rate-limit';
import type { SessionUser } from './current-user';

// A real bcrypt(12) hash of a random string: unknown accounts cost the same time as known ones.
const DUMMY_HASH = '$2b$12$rCAOlCSfu.jEAtiRSJVL1OtrmFijrlsHugmWqTZrJG9Lynjpson2a';

/** Rate-limit keys of a login attempt: the account and the client address. */
export function loginKeys(email: string, ip: string): [string, string] {
  return [`login:account:${email}`, `login:ip:${ip}`];
}

/**
 * Checks a login. Refuses while the account or the IP is blocked (429 with Retry-After),
 * otherwise compares the password; failures count towards both limits. Every outcome is
 * audit-logged; the error never says whether the account exists.
 */
export async function authenticate(
  emailRaw: string,
  password: string,
  headers: Headers,
): Promise<SessionUser> {
  const email = emailRaw.trim().toLowerCase();
  const ip = clientIp(headers);
  const keys = loginKeys(email, ip);
  const client = await db();
  const wait = Math.max(...(await Promise.all(keys.map((k) => blockedFor(client, k)))));
  if (wait > 0) {
    await audit(client, { id: null, email }, headers, {
      action: 'login.blocked',
      details: { retryAfterS: Math.ceil(wait / 1000) },
    });
    throw new AppError('RATE_LIMITED', 'Too many failed sign-ins. Try again later.', {
      retryAfter: wait / 1000,
    });
  }
  const user = await client.adminUser.findUnique({ where: { email }, omit: { passwordHash: false } });
  const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || user.disabledAt) {
    for (const k of keys) await recordFailure(client, k);
    await audit(client, { id: user?.id ?? null, email }, headers, {
      action: 'login.failed',
      targetType: 'admin_user',
      targetId: user?.id,
    });
    throw new AppError('INVALID_CREDENTIALS', 'Invalid email or password');
  }
  await clearFailures(client, keys[0]);
  await client.adminUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await audit(client, { id: user.id, email }, headers, {
    action: 'login.succeeded',
    targetType: 'admin_user',
    targetId: user.id,
  });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
