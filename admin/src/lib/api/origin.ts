import { config } from '@/config';
import { AppError } from './app-error';

/**
 * CSRF guard for every mutation outside next-auth's own routes: a browser always sends
 * `Origin` on a cross-site POST/PATCH/DELETE, so it must name this host (or the configured
 * public URL). A request without `Origin` and without `Sec-Fetch-Site` is a non-browser client
 * (curl, scripts), which carries no ambient cookies to abuse.
 */
export function assertSameOrigin(headers: Headers): void {
  const origin = headers.get('origin');
  if (!origin) {
    const site = headers.get('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') throw crossOrigin();
    return;
  }
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    throw crossOrigin();
  }
  const allowed = new Set<string>();
  for (const h of [headers.get('x-forwarded-host'), headers.get('host')]) {
    if (h) allowed.add(h.split(',')[0]!.trim().toLowerCase());
  }
  const pub = config().publicUrl;
  if (pub) allowed.add(new URL(pub).host.toLowerCase());
  if (!allowed.has(originHost)) throw crossOrigin();
}

function crossOrigin(): AppError {
  return new AppError('CROSS_ORIGIN', 'Cross-origin request refused');
}
