import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { db } from '@/lib/db';
import { decodeSession, SESSION_COOKIE } from './session-cookie';

/** The signed-in person as the panel sees them. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'viewer';
}

/**
 * Resolves a session cookie value to a user, re-reading the user row every time: a disabled
 * user, a changed role or a session issued before `sessions_valid_from` (password reset,
 * disable) takes effect on the next request, not when the 24 h JWT expires.
 */
export async function userFromSessionCookie(raw: string | undefined): Promise<SessionUser | null> {
  const claims = await decodeSession(raw);
  if (!claims) return null;
  const user = await (await db()).adminUser.findUnique({ where: { id: claims.sub } });
  if (!user || user.disabledAt) return null;
  if (claims.iatMs < user.sessionsValidFrom.getTime()) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** The current user in a server component or route handler (cached per request). */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const jar = await cookies();
  return userFromSessionCookie(jar.get(SESSION_COOKIE)?.value);
});

/** For pages: the current user, or a redirect to the login page. Admin-only pages pass 'admin'. */
export async function requirePageUser(role?: 'admin'): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect('/login');
  if (role === 'admin' && user.role !== 'admin') redirect('/forbidden');
  return user;
}
