import WebSocket from 'ws';
import type { ApiKey } from './relay-fixtures.js';
import { bumpTally, type Tally } from './tally.js';

/** A relay route, the scope it needs (null = any valid key) and how to call it. */
interface RelayRoute {
  path: string;
  scope: string | null;
  ws?: boolean;
  /** Extra headers, e.g. to look like a request through the proxy. */
  headers?: Record<string, string>;
}

/** Every authenticated relay route. /relay/metrics needs a key only through the proxy (X-Forwarded-For). */
export const RELAY_ROUTES: RelayRoute[] = [
  { path: '/relay/active-calls', scope: 'calls:read' },
  { path: '/relay/call-history', scope: 'history:read' },
  { path: '/relay/metrics', scope: null, headers: { 'x-forwarded-for': '203.0.113.9' } },
  { path: '/relay/ws', scope: 'events:subscribe', ws: true },
];

/** Status of one request (HTTP) or upgrade (WS; 101 when it was accepted). */
async function call(baseUrl: string, route: RelayRoute, key: string | null): Promise<number> {
  const headers: Record<string, string> = {
    ...route.headers,
    ...(key ? { authorization: `Bearer ${key}` } : {}),
  };
  if (!route.ws) {
    const res = await fetch(`${baseUrl}${route.path}`, { headers, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status;
  }
  return new Promise((resolve) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${route.path}`, {
      headers,
      handshakeTimeout: 10_000,
    });
    ws.on('open', () => (ws.close(), resolve(101)));
    ws.on('unexpected-response', (_req, res) => (ws.terminate(), resolve(res.statusCode ?? 0)));
    ws.on('error', () => resolve(0));
  });
}

/** Keys the probe presents. */
export interface ProbeKeys {
  valid: ApiKey;
  revoked: ApiKey;
  /** A valid key whose scopes are all different from the route's. */
  wrongScope(scope: string): ApiKey;
}

/** Results per case: `no key`, `malformed key`, `revoked key`, `wrong scope`, `valid key` → statuses. */
export type RelayProbe = Map<string, Tally>;

/** Calls every relay route without a key, with a malformed, a revoked and a wrong-scope key, and with a valid one. */
export async function probeRelay(baseUrl: string, keys: ProbeKeys): Promise<RelayProbe> {
  const out: RelayProbe = new Map();
  const record = (c: string, status: number) =>
    bumpTally(out.get(c) ?? out.set(c, new Map()).get(c)!, status);
  for (const r of RELAY_ROUTES) {
    record('no key', await call(baseUrl, r, null));
    record('malformed key', await call(baseUrl, r, 'rk_nothex.short'));
    record('revoked key', await call(baseUrl, r, keys.revoked.key));
    if (r.scope) record('wrong scope', await call(baseUrl, r, keys.wrongScope(r.scope).key));
    record('valid key', await call(baseUrl, r, keys.valid.key));
  }
  return out;
}
