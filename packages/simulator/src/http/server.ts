import http from 'node:http';
import { authenticate } from '../auth/bearer.js';
import { handleToken } from '../auth/token-endpoint.js';
import { markRead } from '../callcontrol/callcontrol-api.js';
import { handleCallControl } from '../callcontrol/callcontrol-router.js';
import type { CallControlWs } from '../callcontrol/ws-server.js';
import { handleControl, type ControlTarget } from '../faults/control-api.js';
import type { SimContext } from '../sim-context.js';
import { handleXapi } from '../xapi/xapi-router.js';
import { sendMalformedResponse } from './malformed-response.js';
import { sendEmpty, sendODataError } from './respond.js';

/** Paths the `malformedResponses` fault applies to: token, XAPI and Call Control REST. */
const isPbxSurface = (p: string) =>
  p === '/connect/token' || p.startsWith('/xapi/') || p === '/callcontrol' || p.startsWith('/callcontrol/');

/** One HTTP server for every surface; faults (delay, 500/503, broken bodies) apply to all but `/__sim/`. */
export function createHttpServer(ctx: SimContext, ws: CallControlWs, control: ControlTarget): http.Server {
  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      ctx.opts.log?.('request failed', { url: req.url, err: (err as Error).message });
      if (!res.headersSent) sendODataError(res, 500, 'InternalServerError', 'An error has occurred.');
      else res.destroy();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const { pathname } = url;
    if (pathname.startsWith('/__sim/')) return handleControl(req, res, control, pathname);
    countRequest(ctx, pathname);
    const delay = ctx.faults.delayFor(pathname);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (req.method === 'GET' && (pathname === '/callcontrol' || pathname.startsWith('/callcontrol/')))
      markRead(ctx, pathname.split('/').filter(Boolean));
    const status = ctx.faults.httpErrorFor(pathname);
    if (status) {
      req.resume();
      return status === 500
        ? sendODataError(res, 500, 'InternalServerError', 'An error has occurred.')
        : sendEmpty(res, status);
    }
    // Licence after authentication: a request without a valid token still gets its 401.
    const refused = ctx.faults.licenceRefusal(pathname);
    if (refused !== undefined && authenticate(req, ctx.tokens)) {
      req.resume();
      return refused ? sendODataError(res, 403, 'Forbidden', refused) : sendEmpty(res, 403);
    }
    const broken = isPbxSurface(pathname) ? ctx.faults.malformedResponseFor(pathname) : undefined;
    if (broken) {
      req.resume();
      return sendMalformedResponse(res, broken);
    }
    if (pathname === '/connect/token' && req.method === 'POST') return handleToken(req, res, ctx);
    if (pathname.startsWith('/xapi/v1/')) {
      let path: string;
      try {
        path = decodeURIComponent(pathname.slice('/xapi/v1/'.length));
      } catch {
        return sendEmpty(res, 404);
      }
      return handleXapi(req, res, ctx, path, url.searchParams);
    }
    if (pathname === '/callcontrol' || pathname.startsWith('/callcontrol/'))
      return handleCallControl(req, res, ctx, pathname);
    sendEmpty(res, 404);
  }

  server.on('upgrade', (req, socket, head) => {
    // Node stops handling errors on a socket it hands to 'upgrade'; a client that resets while
    // we refuse it (a 401 after a token was revoked) must not crash the simulator.
    socket.on('error', () => socket.destroy());
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const status = ctx.faults.httpErrorFor(pathname);
    const refused = ctx.faults.licenceRefusal(pathname);
    if (pathname !== '/callcontrol/ws' || status) {
      socket.end(
        `HTTP/1.1 ${status ?? 404} ${status ? 'Error' : 'Not Found'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    if (refused !== undefined && authenticate(req, ctx.tokens)) {
      const body = refused ? JSON.stringify({ error: { code: 'Forbidden', message: refused } }) : '';
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    ws.upgrade(req, socket, head);
  });
  return server;
}

/** Counts a PBX request by surface: `/xapi/v1/Users?…` as `xapi:Users`, the rest by path head. */
function countRequest(ctx: SimContext, pathname: string): void {
  const parts = pathname.split('/').filter(Boolean);
  const key =
    parts[0] === 'xapi'
      ? `xapi:${(parts[2] ?? '').replace(/[(/].*$/, '')}`
      : parts[0] === 'callcontrol'
        ? 'callcontrol'
        : pathname;
  ctx.counters.requests[key] = (ctx.counters.requests[key] ?? 0) + 1;
}
