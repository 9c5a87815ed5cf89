import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseForm, readBody } from '../http/read-body.js';
import { sendJson } from '../http/respond.js';
import type { SimContext } from '../sim-context.js';

/**
 * `POST /connect/token`, client-credentials grant, form-urlencoded or multipart ([OFFICIAL S1],
 * [FIELD S4–S6]). `expires_in` is 60 (minutes!) in 20.0.8 mode and 3600 (seconds) from 20.0.9
 * mode on ([OFFICIAL S1 commit 1c6947c]); the JWT's `exp` is +1 h in both.
 */
export async function handleToken(req: IncomingMessage, res: ServerResponse, ctx: SimContext): Promise<void> {
  const form = parseForm(req.headers['content-type'], await readBody(req));
  if (form.grant_type !== 'client_credentials') {
    sendJson(res, 400, {
      error: 'unsupported_grant_type',
      error_description: 'The specified grant type is not supported.',
    });
    return;
  }
  if (ctx.faults.settings.consoleRestricted) {
    sendJson(res, 403, {
      error: 'access_denied',
      error_description: 'Access from this IP address is restricted by the console restrictions.',
    });
    return;
  }
  const issued = ctx.tokens.issue(form.client_id ?? '', form.client_secret ?? '');
  if (!issued) {
    sendJson(res, 401, {
      error: 'invalid_client',
      error_description: 'The specified client credentials are invalid.',
    });
    return;
  }
  const expiresIn = ctx.opts.version === '20.0.8' ? Math.round(issued.lifetimeSec / 60) : issued.lifetimeSec;
  sendJson(
    res,
    200,
    { token_type: 'Bearer', expires_in: expiresIn, access_token: issued.accessToken },
    { 'cache-control': 'no-store' },
  );
}
