import { NextResponse } from 'next/server';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { db } from '@/lib/db';
import { isSecureRequest, SESSION_COOKIE, sessionCookieOptions } from '@/lib/auth/session-cookie';

/** POST /admin/api/logout: clears the session cookie. */
export const POST = handleRoute('viewer', async ({ req, user }) => {
  await audit(await db(), { id: user.id, email: user.email }, req.headers, { action: 'logout', targetType: 'admin_user', targetId: user.id });
  const res = NextResponse.json({ ok: true });
  res.cookies.set(SESSION_COOKIE, '', { ...sessionCookieOptions(isSecureRequest(req.headers)), maxAge: 0 });
  return res;
});
