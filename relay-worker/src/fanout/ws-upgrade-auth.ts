import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { keyFromHeaders } from '../auth/api-key-verifier.js';

/** The subprotocol clients should offer next to their key; echoed back when offered. */
export const WS_PROTOCOL = 'relay.v1';

/**
 * The API key of an upgrade request: `Authorization: Bearer` / `X-API-Key` headers, else a
 * `Sec-WebSocket-Protocol` entry that looks like a key (browsers cannot set headers:
 * `new WebSocket(url, ['relay.v1', key])`), else `?access_token=`.
 */
export function keyFromUpgrade(req: IncomingMessage, url: URL): string | undefined {
  const fromHeader = keyFromHeaders(req.headers);
  if (fromHeader) return fromHeader;
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const fromProtocol = protocols.find((p) => p.startsWith('rk_'));
  if (fromProtocol) return fromProtocol;
  return url.searchParams.get('access_token') ?? undefined;
}

/** Chooses the subprotocol to answer with: `relay.v1` if offered, else the first offered one. */
export function chooseProtocol(protocols: Set<string>): string | false {
  if (protocols.has(WS_PROTOCOL)) return WS_PROTOCOL;
  const first = protocols.values().next();
  return first.done ? false : first.value;
}

/** Refuses an upgrade with a plain HTTP answer and closes the socket. */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason =
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      429: 'Too Many Requests',
      503: 'Service Unavailable',
    }[status] ?? 'Error';
  const headers = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...extraHeaders,
  };
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n')}\r\n\r\n${body}`,
  );
}
