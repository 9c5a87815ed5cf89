import { NextResponse } from 'next/server';
import { z } from 'zod';
import { handleRoute } from '@/lib/api/handle-route';
import { authenticate } from '@/lib/auth/authenticate';
import { startSession } from '@/lib/auth/start-session';

const Body = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) });

/** POST /admin/api/login: checks credentials, records the session and sets its cookie. */
export const POST = handleRoute('public', async ({ req, body }) => {
  const { email, password } = await body(Body);
  const user = await authenticate(email, password, req.headers);
  const res = NextResponse.json({ user });
  await startSession(res, user, req.headers);
  return res;
});
