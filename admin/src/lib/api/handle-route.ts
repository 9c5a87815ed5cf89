import { cookies } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { userFromSessionCookie, type SessionUser } from '@/lib/auth/current-user';
import { SESSION_COOKIE } from '@/lib/auth/session-cookie';
import { log } from '@/lib/log';
import { AppError, coerceError } from './app-error';
import { assertSameOrigin } from './origin';

/** Who may call a route. `public` skips the session check (login only). */
export type Access = 'public' | 'viewer' | 'admin';

/** What a route body gets. */
export interface RouteContext<P> {
  req: NextRequest;
  /** Null only for `public` routes. */
  user: SessionUser;
  params: P;
  /** Parses the JSON body with a zod schema (400 on failure). */
  body: <T extends z.ZodType>(schema: T) => Promise<z.infer<T>>;
  /** Parses the query string with a zod schema (400 on failure). */
  query: <T extends z.ZodType>(schema: T) => z.infer<T>;
}

/** A route body: returns a Response, or a value sent as JSON. */
type Handler<P> = (ctx: RouteContext<P>) => unknown;

/**
 * The one wrapper around every admin JSON route: session and role check, Origin check on
 * mutations, and error mapping (zod → 400, auth → 401/403, not found → 404, anything else →
 * 500 without internals). A plain return value is sent as JSON.
 */
export function handleRoute<P = Record<string, never>>(access: Access, handler: Handler<P>) {
  return async (req: NextRequest, segment: { params: Promise<P> }): Promise<Response> => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') assertSameOrigin(req.headers);
      let user: SessionUser | null = null;
      if (access !== 'public') {
        user = await userFromSessionCookie((await cookies()).get(SESSION_COOKIE)?.value);
        if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
        if (access === 'admin' && user.role !== 'admin') throw new AppError('FORBIDDEN', 'Admins only');
      }
      const params = await segment.params;
      const result = await handler({
        req,
        user: user as SessionUser,
        params,
        body: async (schema) =>
          schema.parse(
            await req.json().catch(() => {
              throw new AppError('BAD_REQUEST', 'Body must be JSON');
            }),
          ),
        query: (schema) => schema.parse(Object.fromEntries(req.nextUrl.searchParams)),
      });
      if (result instanceof Response) return result;
      return NextResponse.json(result ?? { ok: true });
    } catch (err) {
      return errorResponse(err, req);
    }
  };
}

/**
 * A zod validation failure. Checked by shape as well as by class: schemas shared with the
 * worker (`@3cx-relay/events`) are loaded at run time with their own copy of zod.
 */
function isZodError(err: unknown): err is z.ZodError {
  return (
    err instanceof z.ZodError ||
    (err instanceof Error && err.name === 'ZodError' && Array.isArray((err as { issues?: unknown }).issues))
  );
}

/** Maps a thrown value to the API's `{ error: { code, message } }` body. */
export function errorResponse(err: unknown, req?: NextRequest): Response {
  if (isZodError(err)) {
    const message = err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return NextResponse.json({ error: { code: 'BAD_REQUEST', message } }, { status: 400 });
  }
  if (err instanceof AppError) {
    const headers: Record<string, string> = {};
    if (err.retryAfter) headers['Retry-After'] = String(Math.ceil(err.retryAfter));
    return NextResponse.json(
      { error: { code: err.code, message: err.message } },
      { status: err.status, headers },
    );
  }
  const e = coerceError(err);
  log.error(
    { err: { name: e.name, message: e.message, stack: e.stack }, route: req?.nextUrl.pathname },
    'admin route failed',
  );
  return NextResponse.json({ error: { code: 'INTERNAL', message: 'Internal error' } }, { status: 500 });
}
