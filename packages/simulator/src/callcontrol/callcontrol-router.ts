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
  const body = req.method === 'POST' ? await readJsonBody(req) : {};
  if (typeof body === 'number') return sendEmpty(res, body);
  if (body === null)
    return sendJson(res, 400, { error: { code: 'BadRequest', message: 'The body is not JSON.' } });
  const segments = pathname.split('/').filter(Boolean).map(safeDecode);
  if (req.method === 'GET' && segments.length === 4 && segments[2] === 'participants')
    ctx.counters.participantGets++;
  const out = callControl(ctx, client, req.method ?? 'GET', segments, body);
  if (out.body === null) return sendEmpty(res, out.status);
  sendJson(res, out.status, out.body);
}

/**
 * A POST's JSON body. Actions and `makecall` bind it as JSON: without `Content-Type:
 * application/json` the request is refused (415), and with it an empty body is too (400); `{}`
 * is the empty request ([FIELD] field review §1.9; the statuses are ASP.NET's defaults,
 * [INFERRED]). Returns the status to refuse with, null for a body that is not a JSON object.
 */
async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown> | null | number> {
  const raw = await readBody(req);
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return 415;
  if (!raw.length) return 400;
  return parseJson(raw);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
