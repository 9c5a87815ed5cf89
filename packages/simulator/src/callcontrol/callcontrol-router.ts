import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from '../auth/bearer.js';
import { parseJson, readBody } from '../http/read-body.js';
import { sendEmpty, sendJson, sendUnauthorized } from '../http/respond.js';
import type { SimContext } from '../sim-context.js';
import { callControl } from './callcontrol-api.js';

/** Serves Call Control REST under `/callcontrol`. */
export async function handleCallControl(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: SimContext,
  pathname: string,
): Promise<void> {
  const client = authenticate(req, ctx.tokens);
  if (!client) return sendUnauthorized(res);
  const body = req.method === 'POST' ? parseJson(await readBody(req)) : {};
  if (body === null)
    return sendJson(res, 400, { error: { code: 'BadRequest', message: 'The body is not JSON.' } });
  const segments = pathname.split('/').filter(Boolean).map(safeDecode);
  if (req.method === 'GET' && segments.length === 4 && segments[2] === 'participants')
    ctx.counters.participantGets++;
  const out = callControl(ctx, client, req.method ?? 'GET', segments, body);
  if (out.body === null) return sendEmpty(res, out.status);
  sendJson(res, out.status, out.body);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
