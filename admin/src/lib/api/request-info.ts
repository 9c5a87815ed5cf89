import { timingSafeEqual } from 'node:crypto';
import { config } from '@/config';

/** The client name of every caller that did not come through the trusted proxy. */
export const LOCAL_CLIENT = 'local';

/** Header nginx adds with TRUSTED_PROXY_SECRET (install.sh writes both). */
export const PROXY_HEADER = 'x-relay-proxy';

function sameSecret(given: string | null, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The client address for throttling and the audit log. The panel listens on loopback behind
 * nginx, which overwrites `X-Real-IP` with the peer it saw and adds `X-Relay-Proxy` with the
 * shared TRUSTED_PROXY_SECRET. `X-Real-IP` is believed only with that secret: a client-sent
 * `X-Real-IP` or `X-Forwarded-For` never is, and anyone reaching the port without nginx counts
 * as the one client {@link LOCAL_CLIENT}.
 */
export function clientIp(headers: Headers): string {
  const secret = config().trustedProxySecret;
  if (!secret || !sameSecret(headers.get(PROXY_HEADER), secret)) return LOCAL_CLIENT;
  const real = headers.get('x-real-ip')?.trim() ?? '';
  return /^[0-9A-Fa-f.:]{2,45}$/.test(real) ? real : LOCAL_CLIENT;
}

/** The User-Agent, cut to a sane length for the audit log. */
export function userAgent(headers: Headers): string | null {
  return headers.get('user-agent')?.slice(0, 300) ?? null;
}
