import { randomBytes } from 'node:crypto';
import type { Db } from '@3cx-relay/db';
import bcrypt from 'bcrypt';
import { z } from 'zod';
import { AppError, notFound } from '@/lib/api/app-error';
import { ACCOUNT_CLIENT } from '@/lib/auth/login-limits';

const password = z.string().min(12, 'must be at least 12 characters').max(200);

/** Input for creating a user. */
export const CreateUser = z.object({
  email: z
    .email('must be an email address')
    .max(320)
    .transform((e) => e.toLowerCase()),
  name: z.string().trim().max(100).default(''),
  role: z.enum(['admin', 'viewer']),
  password,
});

/** PATCH body: role, name, disabled. */
export const UpdateUser = z.object({
  name: z.string().trim().max(100).optional(),
  role: z.enum(['admin', 'viewer']).optional(),
  disabled: z.boolean().optional(),
});

/** Reset body: a chosen password, or none to generate one. */
export const ResetPassword = z.object({ password: password.optional() });

/** bcrypt cost for admin passwords. */
const ROUNDS = 12;

/** Creates a user (409 if the email exists). */
export async function createUser(db: Db, input: z.infer<typeof CreateUser>) {
  try {
    return await db.adminUser.create({
      data: {
        email: input.email,
        name: input.name,
        role: input.role,
        passwordHash: await bcrypt.hash(input.password, ROUNDS),
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002')
      throw new AppError('CONFLICT', 'A user with this email exists');
    throw err;
  }
}

/**
 * Applies a change to a user unless it would leave no enabled admin. Serialized by an advisory
 * lock so two admins demoting each other at once cannot both succeed.
 */
export async function changeUser(db: Db, id: string, change: z.infer<typeof UpdateUser> | { delete: true }) {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(727073, 1)`;
    const user = await tx.adminUser.findUnique({ where: { id } });
    if (!user) throw notFound('User');
    const removesAdmin =
      user.role === 'admin' &&
      !user.disabledAt &&
      ('delete' in change || change.role === 'viewer' || change.disabled === true);
    if (removesAdmin) {
      const admins = await tx.adminUser.count({ where: { role: 'admin', disabledAt: null } });
      if (admins <= 1)
        throw new AppError('LAST_ADMIN', 'The last admin cannot be removed, disabled or demoted');
    }
    if ('delete' in change) {
      await tx.adminUser.delete({ where: { id } });
      return null;
    }
    const now = new Date();
    return tx.adminUser.update({
      where: { id },
      data: {
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.role ? { role: change.role } : {}),
        ...(change.disabled === true ? { disabledAt: user.disabledAt ?? now, sessionsValidFrom: now } : {}),
        ...(change.disabled === false ? { disabledAt: null } : {}),
        // a role change ends the user's sessions, so the new rights apply at once
        ...(change.role && change.role !== user.role ? { sessionsValidFrom: now } : {}),
      },
    });
  });
}

/** Self-service change: the new password (≥ 12 characters) and the current one. */
export const ChangeOwnPassword = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: password,
});

/**
 * Sets a user's password, ends every session of the user (the caller starts a new one where
 * needed) and lifts the user's sign-in blocks from every client.
 */
export async function setPassword(db: Db, id: string, newPassword: string): Promise<void> {
  const now = new Date();
  const user = await db.adminUser.findUnique({ where: { id }, select: { email: true } });
  if (!user) throw notFound('User');
  await db.adminUser.update({
    where: { id },
    data: { passwordHash: await bcrypt.hash(newPassword, ROUNDS), sessionsValidFrom: now },
  });
  await db.adminSession.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: now } });
  await db.$executeRaw`DELETE FROM rate_limits WHERE starts_with(key, ${`${ACCOUNT_CLIENT}${user.email}|`})`;
}

/** Sets a new password (given or generated) and ends the user's sessions; returns it once. */
export async function resetPassword(db: Db, id: string, chosen?: string): Promise<string> {
  const pw = chosen ?? randomBytes(15).toString('base64url');
  await setPassword(db, id, pw);
  return pw;
}
