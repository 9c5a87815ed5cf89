import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { headers } from 'next/headers';
import { config } from '@/config';
import { db } from '@/lib/db';
import { authenticate } from './authenticate';
import { SESSION_COOKIE, SESSION_MAX_AGE, sessionCookieOptions } from './session-cookie';
import { createSession, revokeSession } from './sessions';

/**
 * next-auth configuration: credentials provider (bcrypt 12 via {@link authenticate}, with the
 * same rate limits and audit trail as `POST /api/login`), JWT sessions in the
 * `relay-admin.session` cookie that name an `admin_sessions` row, as the JSON login's do: so
 * its sign-out ends the session on the server, and its refreshes cannot stretch the 24 h
 * (both `iatMs` and the row's `expires_at` stay where sign-in put them). next-auth's own routes
 * are protected by its CSRF token.
 */
export function authOptions(): NextAuthOptions {
  const c = config();
  return {
    secret: c.nextAuthSecret,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE },
    jwt: { maxAge: SESSION_MAX_AGE },
    pages: { signIn: '/login' },
    useSecureCookies: c.secureCookies,
    cookies: {
      sessionToken: { name: SESSION_COOKIE, options: sessionCookieOptions(c.secureCookies) },
    },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: {
          email: { label: 'Email', type: 'email' },
          password: { label: 'Password', type: 'password' },
        },
        async authorize(credentials) {
          if (!credentials?.email || !credentials.password) return null;
          try {
            const u = await authenticate(credentials.email, credentials.password, await headers());
            return { id: u.id, email: u.email, name: u.name, role: u.role };
          } catch {
            return null;
          }
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          const session = await createSession(await db(), user.id, await headers());
          token.role = (user as { role?: string }).role;
          token.sid = session.id;
          token.iatMs = Date.now();
        }
        return token;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === 'string') await revokeSession(await db(), token.sid);
      },
    },
  };
}
