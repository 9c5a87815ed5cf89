import type { Db } from '@3cx-relay/db';
import { db } from '@/lib/db';
import { audit } from '@/lib/audit';
import { AppError } from '@/lib/api/app-error';
import { clientIp } from '@/lib/api/request-info';
import { loginRules } from './login-limits';
import { checkPassword } from './password-check';
import { claimAttempt, clearFailures, releaseAttempt } from './rate-limit';
import type { SessionUser } from './current-user';

/**
 * Charges a password check of `email` from this request's client to the sign-in limits (see
 * {@link loginRules}), atomically and before bcrypt runs; throws 429 with Retry-After while
 * blocked. Returns what to call when the password turns out right.
 */
export async function throttlePasswordCheck(
  client: Db,
  email: string,
  headers: Headers,
): Promise<() => Promise<void>> {
  const [accountClient, perClient] = loginRules(email, clientIp(headers));
  const wait = await claimAttempt(client, [accountClient, perClient]);
  if (wait > 0) {
    await audit(client, { id: null, email }, headers, {
      action: 'login.blocked',
      details: { retryAfterS: Math.ceil(wait / 1000) },
    });
    throw new AppError('RATE_LIMITED', 'Too many failed sign-ins. Try again later.', {
      retryAfter: wait / 1000,
    });
  }
  return async () => {
    await clearFailures(client, accountClient.key);
    await releaseAttempt(client, perClient);
  };
}

/**
 * Checks a login. The attempt is charged to the limits before the password is compared, so
 * parallel guesses cannot slip past them; unknown accounts cost no bcrypt (see
 * {@link checkPassword}). Every outcome is audit-logged; the error never says whether the
 * account exists.
 */
export async function authenticate(
  emailRaw: string,
  password: string,
  headers: Headers,
): Promise<SessionUser> {
  const email = emailRaw.trim().toLowerCase();
  const client = await db();
  const succeeded = await throttlePasswordCheck(client, email, headers);
  const user = await client.adminUser.findUnique({ where: { email }, omit: { passwordHash: false } });
  const ok = await checkPassword(password, user?.passwordHash);
  if (!user || !ok || user.disabledAt) {
    await audit(client, { id: user?.id ?? null, email }, headers, {
      action: 'login.failed',
      targetType: 'admin_user',
      targetId: user?.id,
    });
    throw new AppError('INVALID_CREDENTIALS', 'Invalid email or password');
  }
  await succeeded();
  await client.adminUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await audit(client, { id: user.id, email }, headers, {
    action: 'login.succeeded',
    targetType: 'admin_user',
    targetId: user.id,
  });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
