import { decode, encode, type JWT } from 'next-auth/jwt';
import { config } from '@/config';
import { SESSION_MAX_AGE } from './sessions';

export { SESSION_MAX_AGE };

/** One cookie name for both next-auth's routes and our JSON login, http or https. */
export const SESSION_COOKIE = 'relay-admin.session';

/** The claims we put in the session JWT (besides next-auth's `sub`, `iat`, `exp`). */
export interface SessionClaims {
  /** User id. */
  sub: string;
  email: string;
  role: 'admin' | 'viewer';
  /** The `admin_sessions` row: revoked by logout, checked on every request. */
  sid: string;
  /** Sign-in time in ms. Kept through next-auth's refreshes, so the 24 h are counted from here. */
  iatMs: number;
}

/** Cookie attributes: HttpOnly, SameSite=Lax, Secure when the panel is served over https. */
export function sessionCookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure,
    path: '/admin',
    maxAge: SESSION_MAX_AGE,
  };
}

/** Whether this request reached us over TLS (directly or via nginx). */
export function isSecureRequest(headers: Headers): boolean {
  return config().secureCookies || headers.get('x-forwarded-proto') === 'https';
}

/** Encrypts a session (next-auth's JWE format, so next-auth's own routes read it too). */
export function encodeSession(claims: SessionClaims): Promise<string> {
  return encode({
    token: claims as unknown as JWT,
    secret: config().nextAuthSecret,
    maxAge: SESSION_MAX_AGE,
  });
}

/**
 * Decrypts and checks a session cookie; null when missing, forged, without a session id, or
 * older than 24 h since sign-in. That last check is absolute: next-auth's session route
 * re-issues the cookie with a new `exp` on every call, but never a new `iatMs`.
 */
export async function decodeSession(
  raw: string | undefined,
  now = Date.now(),
): Promise<SessionClaims | null> {
  if (!raw) return null;
  try {
    const t = await decode({ token: raw, secret: config().nextAuthSecret });
    if (!t || typeof t.sub !== 'string' || (t.role !== 'admin' && t.role !== 'viewer')) return null;
    if (typeof t.sid !== 'string' || typeof t.iatMs !== 'number') return null;
    if (now - t.iatMs >= SESSION_MAX_AGE * 1000) return null;
    return { sub: t.sub, email: String(t.email ?? ''), role: t.role, sid: t.sid, iatMs: t.iatMs };
  } catch {
    return null;
  }
}
