/** The admin's TRUSTED_PROXY_SECRET in the E2E stack: tests send it to act as nginx. */
export const E2E_PROXY_SECRET = 'e2e-trusted-proxy-secret-not-for-production';

/** Headers nginx would add for a client at `ip`: the panel believes X-Real-IP only with the secret. */
export function viaProxy(ip: string): Record<string, string> {
  return { 'x-relay-proxy': E2E_PROXY_SECRET, 'x-real-ip': ip };
}
