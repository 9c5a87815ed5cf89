import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Db } from './client.js';

/** bcrypt cost for admin passwords and API key secrets. */
export const BCRYPT_ROUNDS = 12;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}

/** A random password that is easy to copy: 20 URL-safe characters. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

export interface FirstAdmin {
  email: string;
  /** Only returned when the user was created now; printed once and never stored in clear. */
  password: string;
}

/** Creates the first admin user if no admin exists. Returns its credentials, or null if one exists. */
export async function ensureFirstAdmin(
  db: Db,
  opts: { email?: string; password?: string } = {},
): Promise<FirstAdmin | null> {
  const existing = await db.adminUser.count({ where: { role: 'admin' } });
  if (existing > 0) return null;
  const email = (opts.email ?? 'admin@localhost').toLowerCase();
  const password = opts.password ?? generatePassword();
  await db.adminUser.upsert({
    where: { email },
    create: { email, name: 'Administrator', role: 'admin', passwordHash: await hashPassword(password) },
    update: { role: 'admin', disabledAt: null, passwordHash: await hashPassword(password) },
  });
  return { email, password };
}

/**
 * Start of the admin's per-account-and-client sign-in counters in `rate_limits`
 * (`login:account-client:<email>|<client>`); the admin's `loginRules` writes them.
 */
export const LOGIN_ACCOUNT_CLIENT_PREFIX = 'login:account-client:';

/** Lifts every sign-in block of an account, from every client (a password reset does this). */
export async function clearLoginBlocks(db: Db, email: string): Promise<number> {
  const prefix = `${LOGIN_ACCOUNT_CLIENT_PREFIX}${email.toLowerCase()}|`;
  return db.$executeRaw`DELETE FROM rate_limits WHERE starts_with(key, ${prefix})`;
}
