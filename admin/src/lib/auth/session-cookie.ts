import { decode, encode, type JWT } from 'next-auth/jwt';
import { config } from '@/config';

/** Session lifetime: 24 h, in seconds. */
export const SESSION_MAX_AGE = 24 * 60 * 60;

/** One cookie name for both next-auth's routes and our JSON login, http or https. */
export const SESSION_COOKIE = 'relay-admin.session';

/** The claims we put in the session JWT (besides next-auth's `sub`, `iat`, `exp`). */
export interface SessionClaims {
  /** User id. */
  sub: string;
  email: string;
  role: 'admin' | 'viewer';
  /** Issue time in ms (finer than `iat`), compared with `sessions_valid_from`. */
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

/** Decrypts and checks expiry; null when missing, forged or expired. */
export async function decodeSession(raw: string | undefined): Promise<SessionClaims | null> {
  if (!raw) return null;
  try {
    const t = await decode({ token: raw, secret: config().nextAuthSecret });
    if (!t || typeof t.sub !== 'string' || (t.role !== 'admin' && t.role !== 'viewer')) return null;
    return {
      sub: t.sub,
      email: String(t.email ?? ''),
      role: t.role,
      iatMs: typeof t.iatMs === 'number' ? t.iatMs : Number(t.iat ?? 0) * 1000,
    };
  } catch {
    return null;
  }
}
