import type { ServerResponse } from 'node:http';

/** Sends a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** An OData error body (`Pbx.ODataErrors.ODataError`). */
export function sendODataError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message, target: null, details: [], innerError: {} } });
}

/** ASP.NET-style 401: empty body and `WWW-Authenticate: Bearer` ([UNVERIFIED] body, plausible). */
export function sendUnauthorized(res: ServerResponse): void {
  res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-length': 0 });
  res.end();
}

/** An empty response. */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
}
