import type { Config } from '../../config.js';
import { errorForStatus, extractMessage } from '../../sources/pbx-error.js';
import { describeLicence, roleFromToken } from '../../sources/xapi/pbx-licence.js';
import { readLicence } from './check-licence.js';
import { describeNetworkError, fail, LICENCE_FIX, ok, skip, type CheckResult } from './check.js';
import type { DoctorHttp } from './http.js';

const T_TOKEN = 'XAPI token (client ID and secret)';
const T_ROLE = 'XAPI System Owner role';
const CLIENT_HINT = 'Admin Console > Integrations > API';
/** 3CX's IP allow-list also applies to API clients (`OverrideConsoleRestrictions`, 20.0.10 swagger). */
const CONSOLE_RESTRICTIONS =
  "3CX's Console Restrictions (the Admin Console's IP allow-list, which also applies to API clients) may not list this machine: add its IP address there";

/** "system_owners, from the API token" when the token names the client's role. */
function tokenRole(token: string): string | undefined {
  const role = roleFromToken(token);
  return role?.maxRole ?? undefined;
}

function errorText(json: unknown): string {
  const j = json as { error_description?: string; error?: string | { message?: string } } | undefined;
  if (!j || typeof j !== 'object') return '';
  if (j.error_description) return `: ${j.error_description}`;
  if (typeof j.error === 'string') return `: ${j.error}`;
  return j.error?.message ? `: ${j.error.message}` : '';
}

/** Gets a token with the client credentials. */
export async function checkToken(
  config: Config,
  http: DoctorHttp,
): Promise<{ result: CheckResult; token?: string }> {
  if (!config.PBX_URL || !config.PBX_CLIENT_ID || !config.PBX_CLIENT_SECRET) {
    const fix = `create an API client in ${CLIENT_HINT} (role System Owner, XAPI and Call Control access), then set PBX_URL, PBX_CLIENT_ID and PBX_CLIENT_SECRET in worker.env`;
    return {
      result: fail('xapi.token', T_TOKEN, 'PBX_URL, PBX_CLIENT_ID or PBX_CLIENT_SECRET is not set', fix),
    };
  }
  const url = new URL('/connect/token', config.PBX_URL).toString();
  try {
    const res = await http.postForm(url, {
      client_id: config.PBX_CLIENT_ID,
      client_secret: config.PBX_CLIENT_SECRET,
      grant_type: 'client_credentials',
    });
    const token = (res.json as { access_token?: unknown } | undefined)?.access_token;
    if (res.status === 200 && typeof token === 'string') {
      return {
        result: ok('xapi.token', T_TOKEN, `${url} issued a token for client ${config.PBX_CLIENT_ID}`),
        token,
      };
    }
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      return {
        result: fail(
          'xapi.token',
          T_TOKEN,
          `3CX refused client ${config.PBX_CLIENT_ID} (HTTP ${res.status}${errorText(res.json)})`,
          `check PBX_CLIENT_ID and PBX_CLIENT_SECRET in worker.env against ${CLIENT_HINT}; the secret is shown only once, so generate a new one if unsure. If they are right, ${CONSOLE_RESTRICTIONS}`,
        ),
      };
    }
    return {
      result: fail(
        'xapi.token',
        T_TOKEN,
        `${url} answered HTTP ${res.status}${errorText(res.json)}`,
        'check PBX_URL: it is the 3CX web address, e.g. https://pbx.example.com:5001',
      ),
    };
  } catch (err) {
    return {
      result: fail(
        'xapi.token',
        T_TOKEN,
        `cannot reach ${url}: ${describeNetworkError(err)}`,
        'check PBX_URL (the 3CX web address); for a self-signed certificate on this machine set PBX_TLS_INSECURE=true',
      ),
    };
  }
}

/** XAPI reachable (Defs works for any role) and CallHistoryView allowed (System Owner only). */
export async function checkRole(
  config: Config,
  http: DoctorHttp,
  token: string | undefined,
): Promise<CheckResult> {
  if (!token || !config.PBX_URL) return skip('xapi.role', T_ROLE, 'no token (see above)');
  const base = config.PBX_URL;
  try {
    const defs = await http.get(new URL('/xapi/v1/Defs?$select=Id', base).toString(), token);
    const body = typeof defs.json === 'string' ? defs.json : JSON.stringify(defs.json ?? '');
    const licence = defs.status === 403 ? await readLicence(base, http, token) : undefined;
    if (defs.status === 403 && errorForStatus(403, '/xapi/v1/Defs', body, licence).kind === 'LICENSE') {
      const why =
        licence && licence.edition !== 'enterprise'
          ? `this 3CX is ${describeLicence(licence)}`
          : extractMessage(body);
      return fail(
        'xapi.role',
        T_ROLE,
        `XAPI refused /xapi/v1/Defs for a licence reason: ${why}`,
        LICENCE_FIX,
      );
    }
    if (defs.status === 401 || defs.status === 403) {
      return fail(
        'xapi.role',
        T_ROLE,
        `XAPI answered HTTP ${defs.status} to /xapi/v1/Defs`,
        `tick "XAPI Access Enabled" for the API client in ${CLIENT_HINT}; XAPI needs an Enterprise licence`,
      );
    }
    const history = await http.get(new URL('/xapi/v1/CallHistoryView?$top=1', base).toString(), token);
    const role = tokenRole(token);
    const roleNote = role ? ` (its token says role ${role})` : '';
    if (history.status === 403) {
      return fail(
        'xapi.role',
        T_ROLE,
        `CallHistoryView answered 403 Forbidden: the API client is not System Owner${roleNote}`,
        `give the API client the System Owner role (${CLIENT_HINT} > the client > Role)`,
      );
    }
    if (history.status !== 200) {
      return fail(
        'xapi.role',
        T_ROLE,
        `CallHistoryView answered HTTP ${history.status}${errorText(history.json)}`,
        'see the message; 3CX may be starting or overloaded, try again in a minute',
      );
    }
    return ok(
      'xapi.role',
      T_ROLE,
      `CallHistoryView readable: the API client has the System Owner role${roleNote}`,
    );
  } catch (err) {
    return fail(
      'xapi.role',
      T_ROLE,
      `XAPI request failed: ${describeNetworkError(err)}`,
      'check that 3CX is running and PBX_URL is right',
    );
  }
}

export { checkLicence } from './check-licence.js';
