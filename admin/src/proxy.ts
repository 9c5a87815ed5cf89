import { NextResponse, type NextRequest } from 'next/server';
import { config as appConfig } from '@/config';
import { decodeSession, SESSION_COOKIE } from '@/lib/auth/session-cookie';

/** Builds the Content-Security-Policy for one response. Scripts only with this request's nonce. */
function csp(nonce: string, dev: boolean): string {
  return [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // Recharts and React set style attributes; styles cannot run code.
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `frame-ancestors 'none'`,
    `form-action 'self'`,
    `base-uri 'none'`,
    `object-src 'none'`,
  ].join('; ');
}

const PUBLIC_PAGES = new Set(['/login']);

/**
 * Runs before every page and route: sets the per-request CSP nonce (Next applies it to its own
 * scripts) and sends visitors without a valid session cookie to the login page. API routes
 * answer 401 themselves; the full check (disabled user, revoked sessions) is in the layout.
 */
export async function proxy(req: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const policy = csp(nonce, appConfig().isDev);
  const path = req.nextUrl.pathname;
  const isApi = path.startsWith('/api/');

  if (!isApi && !PUBLIC_PAGES.has(path)) {
    const session = await decodeSession(req.cookies.get(SESSION_COOKIE)?.value);
    if (!session) {
      const url = req.nextUrl.clone();
      url.pathname = '/login';
      url.search = '';
      const res = NextResponse.redirect(url);
      res.headers.set('Content-Security-Policy', policy);
      return res;
    }
  }
  const requestHeaders = new Headers(req.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set('Content-Security-Policy', policy);
  return res;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
