import type { IncomingMessage } from 'node:http';
import type { ApiClient, TokenStore } from './token-store.js';

/** The API client behind `Authorization: Bearer <token>`, or null. */
export function authenticate(req: IncomingMessage, tokens: TokenStore): ApiClient | null {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ? tokens.verify(match[1]) : null;
}

/** True when the client may see `dn` over Call Control: its route point or a monitored DN. */
export function canSee(client: ApiClient, dn: string): boolean {
  return client.routePoint === dn || client.monitored.includes(dn);
}
