/**
 * The client address. The panel listens on loopback only, so every connection comes from
 * nginx (or a local tool); nginx's `X-Real-IP` / the last `X-Forwarded-For` hop is the client.
 */
export function clientIp(headers: Headers): string {
  const real = headers.get('x-real-ip')?.trim();
  if (real) return real;
  const fwd = headers.get('x-forwarded-for');
  if (fwd) {
    const hops = fwd
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const last = hops[hops.length - 1];
    if (last) return last;
  }
  return '127.0.0.1';
}

/** The User-Agent, cut to a sane length for the audit log. */
export function userAgent(headers: Headers): string | null {
  return headers.get('user-agent')?.slice(0, 300) ?? null;
}
