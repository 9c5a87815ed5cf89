import WebSocket from 'ws';
import type { Config } from '../../config.js';
import { errorForStatus, extractMessage } from '../../sources/pbx-error.js';
import { readRefusal } from '../../sources/callcontrol/read-refusal.js';
import { insecureTlsAllowed } from '../../sources/pbx-tls.js';
import { describeNetworkError, fail, LICENCE_FIX, ok, skip, type CheckResult } from './check.js';

const TITLE = 'Call Control WebSocket';

/** The `/callcontrol/ws` address for a 3CX web address (http→ws, https→wss). */
export function callControlWsUrl(pbxUrl: string): string {
  const u = new URL('/callcontrol/ws', pbxUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/** Opens the Call Control WebSocket with the bearer token and closes it again. */
export function checkCallControl(
  config: Config,
  token: string | undefined,
  timeoutMs = 5000,
): Promise<CheckResult> {
  if (!token || !config.PBX_URL) return Promise.resolve(skip('callcontrol', TITLE, 'no token (see above)'));
  const url = callControlWsUrl(config.PBX_URL);
  return new Promise((resolve) => {
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: timeoutMs,
      rejectUnauthorized: !insecureTlsAllowed(config.PBX_URL, config.PBX_TLS_INSECURE, url),
    });
    const done = (r: CheckResult) => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(r);
    };
    ws.on('open', () => done(ok('callcontrol', TITLE, `${url} accepted the upgrade`)));
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      void readRefusal(res).then((body) => {
        if (status === 401 || status === 403) done(refusal(url, status, body));
        else {
          const fix =
            status === 404
              ? 'check PBX_URL and that 3CX is V20 Update 4 or later (the Call Control API)'
              : 'check that 3CX and its Call Control service run (3CX Admin Console > Dashboard > Services), then try again';
          done(fail('callcontrol', TITLE, `${url} refused the WebSocket upgrade with HTTP ${status}`, fix));
        }
      });
    });
    ws.on('error', (err) => {
      done(
        fail(
          'callcontrol',
          TITLE,
          `${url} refused: ${describeNetworkError(err)}`,
          'check that 3CX is running and PBX_URL points at its web port; a proxy in between must pass WebSocket upgrades',
        ),
      );
    });
  });
}

/** 401/403 on the upgrade: a licence refusal says so; anything else asks for Call Control access. */
function refusal(url: string, status: number, body: string): CheckResult {
  if (errorForStatus(status, '/callcontrol/ws', body).kind === 'LICENSE')
    return fail(
      'callcontrol',
      TITLE,
      `${url} refused the upgrade for a licence reason: ${extractMessage(body)}`,
      LICENCE_FIX,
    );
  return fail(
    'callcontrol',
    TITLE,
    `${url} refused the upgrade with HTTP ${status}`,
    'tick "3CX Call Control API Access" for the API client in Admin Console > Integrations > API (needs an Enterprise licence)',
  );
}
