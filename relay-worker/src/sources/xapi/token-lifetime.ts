/**
 * Lifetime of a `/connect/token` answer in ms. 3CX up to 20.0.8 sends `expires_in` in
 * minutes (60 = one hour); from 20.0.9 in seconds as OAuth says. Values below 300 cannot be
 * sensible second counts for these tokens, so they are read as minutes.
 */
export function tokenLifetimeMs(expiresIn: unknown): number {
  const n = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return 30 * 60_000; // unknown: assume 30 min like 3CX's own sample
  return n < 300 ? n * 60_000 : n * 1000;
}

/** When to fetch a new token: a safety margin before expiry (10 % of the lifetime, 10 s to 5 min). */
export function refreshAt(obtainedAt: number, lifetimeMs: number): number {
  const margin = Math.min(5 * 60_000, Math.max(10_000, lifetimeMs * 0.1));
  return obtainedAt + Math.max(lifetimeMs / 2, lifetimeMs - margin);
}
