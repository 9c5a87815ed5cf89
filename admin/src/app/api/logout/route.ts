import { NextResponse } from 'next/server';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sessionFromCookie } from '@/lib/auth/current-user';
import { isSecureRequest, SESSION_COOKIE, sessionCookieOptions } from '@/lib/auth/session-cookie';
import { revokeSession } from '@/lib/auth/sessions';
import { db } from '@/lib/db';

/**
 * POST /admin/api/logout: ends the session on the server (its row is revoked, so a copy of the
 * cookie is refused from now on) and clears the cookie (also when the session already expired).
 */
export const POST = handleRoute('public', async ({ req }) => {
  const session = await sessionFromCookie(req.cookies.get(SESSION_COOKIE)?.value);
  if (session) {
    const client = await db();
    await revokeSession(client, session.sid);
    await audit(client, session.user, req.headers, {
      action: 'logout',
      targetType: 'admin_user',
      targetId: session.user.id,
    });
  }
  const res = NextResponse.json({ ok: true });
  res.cookies.set(SESSION_COOKIE, '', { ...sessionCookieOptions(isSecureRequest(req.headers)), maxAge: 0 });
  return res;
});
