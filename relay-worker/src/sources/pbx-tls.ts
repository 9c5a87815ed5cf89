import { buildConnector } from 'undici';

const DEFAULT_PORT: Record<string, string> = { 'https:': '443', 'wss:': '443', 'http:': '80', 'ws:': '80' };

/** `host:port` of a URL, with the scheme's default port filled in. */
function endpoint(u: URL): string {
  return `${u.hostname.toLowerCase()}:${u.port || DEFAULT_PORT[u.protocol] || ''}`;
}

/**
 * Whether a TLS connection to `target` may skip certificate checks: only with PBX_TLS_INSECURE
 * and only for exactly the configured PBX's host and port (a self-signed certificate on the box
 * itself). Every other host is always verified, whatever the setting.
 */
export function insecureTlsAllowed(
  pbxUrl: string | undefined,
  insecure: boolean,
  target: string | URL,
): boolean {
  if (!insecure || !pbxUrl) return false;
  return endpoint(new URL(pbxUrl)) === endpoint(new URL(target));
}

/**
 * undici's `connect` for a dispatcher that talks to the PBX: certificates are checked, except
 * for the configured PBX host and port when PBX_TLS_INSECURE is set.
 */
export function pbxConnector(pbxUrl: string | undefined, insecure: boolean): buildConnector.connector {
  const strict = buildConnector({});
  const lax = buildConnector({ rejectUnauthorized: false });
  return (opts, callback) => {
    const target = `${opts.protocol}//${opts.hostname}${opts.port ? `:${opts.port}` : ''}`;
    return (insecureTlsAllowed(pbxUrl, insecure, target) ? lax : strict)(opts, callback);
  };
}
