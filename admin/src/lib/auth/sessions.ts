import type { Db } from '@3cx-relay/db';
import { clientIp, userAgent } from '@/lib/api/request-info';
import type { SessionUser } from './current-user';

/** Absolute session lifetime: 24 h from sign-in, in seconds. No refresh extends it. */
export const SESSION_MAX_AGE = 24 * 60 * 60;

/** A session row just created for a sign-in. */
export interface NewSession {
  id: string;
  expiresAt: Date;
}

/** Records a sign-in: the row the session JWT names (`sid`), expiring 24 h from now. */
export async function createSession(db: Db, userId: string, headers: Headers): Promise<NewSession> {
  const expiresAt = new Date(Date.now() + SESSION_MAX_AGE * 1000);
  const row = await db.adminSession.create({
    data: { userId, expiresAt, ip: clientIp(headers), userAgent: userAgent(headers) },
    select: { id: true, expiresAt: true },
  });
  return row;
}

/** Ends one session on the server (logout): its JWT is refused from now on. */
export async function revokeSession(db: Db, id: string): Promise<void> {
  await db.adminSession.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** Ends every session of a user (password change, reset, disable). */
export async function revokeUserSessions(db: Db, userId: string): Promise<void> {
  await db.adminSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/**
 * The user of session `sid` when it is still good: the row exists and belongs to `userId`, is
 * not revoked, has not passed its absolute expiry, the user is enabled, and the session began
 * after the user's `sessions_valid_from` (password reset, disable, role change). One query.
 */
export async function sessionUser(
  db: Db,
  sid: string,
  userId: string,
  now = new Date(),
): Promise<SessionUser | null> {
  const s = await db.adminSession.findUnique({ where: { id: sid }, include: { user: true } });
  if (!s || s.userId !== userId || s.revokedAt || s.expiresAt <= now) return null;
  const u = s.user;
  if (u.disabledAt || s.createdAt < u.sessionsValidFrom) return null;
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}
