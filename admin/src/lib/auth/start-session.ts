import type { NextResponse } from 'next/server';
import { db } from '@/lib/db';
import type { SessionUser } from './current-user';
import { encodeSession, isSecureRequest, SESSION_COOKIE, sessionCookieOptions } from './session-cookie';
import { createSession } from './sessions';

/** Records a new session for `user` and sets its cookie on `res`. */
export async function startSession(res: NextResponse, user: SessionUser, headers: Headers): Promise<void> {
  const session = await createSession(await db(), user.id, headers);
  const token = await encodeSession({
    sub: user.id,
    email: user.email,
    role: user.role,
    sid: session.id,
    iatMs: Date.now(),
  });
  res.cookies.set(SESSION_COOKIE, token, sessionCookieOptions(isSecureRequest(headers)));
}
