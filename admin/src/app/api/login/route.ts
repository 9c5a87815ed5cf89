import { NextResponse } from 'next/server';
import { z } from 'zod';
import { handleRoute } from '@/lib/api/handle-route';
import { authenticate } from '@/lib/auth/authenticate';
import {
  encodeSession,
  isSecureRequest,
  SESSION_COOKIE,
  sessionCookieOptions,
} from '@/lib/auth/session-cookie';

const Body = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) });

/** POST /admin/api/login: checks credentials and sets the session cookie. */
export const POST = handleRoute('public', async ({ req, body }) => {
  const { email, password } = await body(Body);
  const user = await authenticate(email, password, req.headers);
  const token = await encodeSession({ sub: user.id, email: user.email, role: user.role, iatMs: Date.now() });
  const res = NextResponse.json({ user });
  res.cookies.set(SESSION_COOKIE, token, sessionCookieOptions(isSecureRequest(req.headers)));
  return res;
});
