import { clearLoginBlocks, createDb, ensureFirstAdmin, generatePassword, hashPassword } from '@3cx-relay/db';
import { AppError } from '../../errors.js';

/** Runs `fn` with a Prisma client for DATABASE_URL and disconnects afterwards. */
async function withDb<T>(
  databaseUrl: string,
  fn: (db: ReturnType<typeof createDb>) => Promise<T>,
): Promise<T> {
  const db = createDb(databaseUrl, { max: 2, applicationName: '3cx-relay-cli' });
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

/** Outcome of create-admin; `password` is shown once and never stored in clear. */
export interface CreatedAdmin {
  created: boolean;
  email: string;
  password?: string;
}

/**
 * Creates an admin. With `ifNone`, only when no admin exists yet (install.sh's first admin);
 * otherwise a new admin with `email`, refusing an email that is taken.
 */
export async function createAdmin(
  databaseUrl: string,
  opts: { email?: string; password?: string; ifNone?: boolean },
): Promise<CreatedAdmin> {
  return withDb(databaseUrl, async (db) => {
    if (opts.ifNone) {
      const first = await ensureFirstAdmin(db, { email: opts.email, password: opts.password });
      if (!first) return { created: false, email: '' };
      return { created: true, email: first.email, password: first.password };
    }
    if (!opts.email)
      throw new AppError('BAD_REQUEST', 'create-admin needs --email (or --if-none for the first admin)');
    const email = opts.email.toLowerCase();
    if (await db.adminUser.findUnique({ where: { email } })) {
      throw new AppError(
        'BAD_REQUEST',
        `a user ${email} exists already; use reset-password to give it a new password`,
      );
    }
    const password = opts.password ?? generatePassword();
    await db.adminUser.create({
      data: { email, name: email, role: 'admin', passwordHash: await hashPassword(password) },
    });
    return { created: true, email, password };
  });
}

/**
 * Sets a new password, re-enables the user, ends its existing sessions and lifts its sign-in
 * blocks from every client (a locked-out admin is back in at once).
 */
export async function resetPassword(
  databaseUrl: string,
  opts: { email: string; password?: string },
): Promise<{ email: string; password: string }> {
  return withDb(databaseUrl, async (db) => {
    const email = opts.email.toLowerCase();
    if (!(await db.adminUser.findUnique({ where: { email } }))) {
      throw new AppError(
        'NOT_FOUND',
        `no user ${email}; create one with: 3cx-relay create-admin --email ${email}`,
      );
    }
    const password = opts.password ?? generatePassword();
    const now = new Date();
    const user = await db.adminUser.update({
      where: { email },
      data: { passwordHash: await hashPassword(password), disabledAt: null, sessionsValidFrom: now },
    });
    await db.adminSession.updateMany({
      where: { userId: user.id, revokedAt: null },
      data: { revokedAt: now },
    });
    await clearLoginBlocks(db, email);
    return { email, password };
  });
}
