import { config } from '@/config';
import { AppError } from './app-error';

/**
 * CSRF guard for every mutation outside next-auth's own routes: a browser always sends
 * `Origin` on a cross-site POST/PATCH/DELETE, so it must be exactly (scheme, host and port) the
 * origin of NEXTAUTH_URL or RELAY_PUBLIC_URL. Nothing the request says about itself (`Host`,
 * `X-Forwarded-Host`) widens that: the PBX's own web client on the same host but another port
 * is another origin. A request without `Origin` and without a cross-site `Sec-Fetch-Site` is a
 * non-browser client (curl, scripts), which carries no ambient cookies to abuse.
 */
export function assertSameOrigin(headers: Headers): void {
  const origin = headers.get('origin');
  if (!origin) {
    const site = headers.get('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') throw crossOrigin();
    return;
  }
  let normalized: string;
  try {
    normalized = new URL(origin).origin;
  } catch {
    throw crossOrigin();
  }
  if (!config().allowedOrigins.has(normalized)) throw crossOrigin();
}

function crossOrigin(): AppError {
  return new AppError('CROSS_ORIGIN', 'Cross-origin request refused');
}
