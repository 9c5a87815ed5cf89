import { NextResponse } from 'next/server';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { userFromSessionCookie } from '@/lib/auth/current-user';
import { isSecureRequest, SESSION_COOKIE, sessionCookieOptions } from '@/lib/auth/session-cookie';
import { db } from '@/lib/db';

/** POST /admin/api/logout: clears the session cookie (also when the session already expired). */
export const POST = handleRoute('public', async ({ req }) => {
  const user = await userFromSessionCookie(req.cookies.get(SESSION_COOKIE)?.value);
  if (user) {
    await audit(await db(), user, req.headers, {
      action: 'logout',
      targetType: 'admin_user',
      targetId: user.id,
    });
  }
  const res = NextResponse.json({ ok: true });
  res.cookies.set(SESSION_COOKIE, '', { ...sessionCookieOptions(isSecureRequest(req.headers)), maxAge: 0 });
  return res;
});
