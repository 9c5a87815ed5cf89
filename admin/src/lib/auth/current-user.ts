import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { db } from '@/lib/db';
import { decodeSession, SESSION_COOKIE } from './session-cookie';
import { sessionUser } from './sessions';

/** The signed-in person as the panel sees them. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'viewer';
}

/** A signed-in user and the session row their cookie names. */
export interface CurrentSession {
  user: SessionUser;
  sid: string;
}

/**
 * Resolves a session cookie to its user and session, re-reading both every time: a logout, a
 * disabled user, a changed role, a password change or reset, and the absolute 24 h expiry all
 * take effect on the next request.
 */
export async function sessionFromCookie(raw: string | undefined): Promise<CurrentSession | null> {
  const claims = await decodeSession(raw);
  if (!claims) return null;
  const user = await sessionUser(await db(), claims.sid, claims.sub);
  return user ? { user, sid: claims.sid } : null;
}

/** {@link sessionFromCookie}'s user only. */
export async function userFromSessionCookie(raw: string | undefined): Promise<SessionUser | null> {
  return (await sessionFromCookie(raw))?.user ?? null;
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
