import type { Config } from '../../config.js';
import {
  describeLicence,
  licenceFromParameters,
  licenceFromToken,
  type PbxLicence,
} from '../../sources/xapi/pbx-licence.js';
import { describeNetworkError, ok, skip, warn, type CheckResult } from './check.js';
import type { DoctorHttp } from './http.js';

const T_LICENCE = '3CX licence';

export /**
 * The licence the official way: `Defs/Pbx.GetLicenseParameters()` (20.0.8+), else the token's
 * role claims; undefined when neither tells.
 */
async function readLicence(base: string, http: DoctorHttp, token: string): Promise<PbxLicence | undefined> {
  try {
    const res = await http.get(new URL('/xapi/v1/Defs/Pbx.GetLicenseParameters()', base).toString(), token);
    const fromParameters = res.status === 200 ? licenceFromParameters(res.json) : null;
    if (fromParameters) return fromParameters;
  } catch {
    // the token's roles below
  }
  return licenceFromToken(token) ?? undefined;
}

/** What `SystemStatus` says about the licence. */
interface StatusLicence {
  LicenseActive?: boolean;
  ProductCode?: string;
  ExpirationDate?: string;
  Version?: string;
}

const NEEDS_ENTERPRISE =
  'XAPI and Call Control need an Enterprise (ENT) or AI licence; PRO systems refuse them';

/**
 * The licence, the official way first (`GetLicenseParameters`, then the token's roles), plus
 * whether `SystemStatus` says it is active and current: never fails the run, only warns.
 */
export async function checkLicence(
  config: Config,
  http: DoctorHttp,
  token: string | undefined,
): Promise<CheckResult> {
  if (!token || !config.PBX_URL) return skip('licence', T_LICENCE, 'no token (see above)');
  const official = await readLicence(config.PBX_URL, http, token);
  if (official?.edition && official.edition !== 'enterprise')
    return warn('licence', T_LICENCE, describeLicence(official), NEEDS_ENTERPRISE);
  try {
    const res = await http.get(new URL('/xapi/v1/SystemStatus', config.PBX_URL).toString(), token);
    if (res.status === 200 && res.json && typeof res.json === 'object')
      return fromSystemStatus(res.json, official);
    if (official) return fromSystemStatus({}, official);
    return warn(
      'licence',
      T_LICENCE,
      `SystemStatus answered HTTP ${res.status}`,
      'check the licence in the 3CX Admin Console (Dashboard); XAPI and Call Control need an Enterprise (ENT/AI) licence',
    );
  } catch (err) {
    if (official) return fromSystemStatus({}, official);
    return warn(
      'licence',
      T_LICENCE,
      `SystemStatus failed: ${describeNetworkError(err)}`,
      'check the licence in the 3CX Admin Console',
    );
  }
}

/** The licence check's verdict from `SystemStatus` and the edition known the official way. */
function fromSystemStatus(s: StatusLicence, official: PbxLicence | undefined): CheckResult {
  const edition = official ? describeLicence(official) : (s.ProductCode ?? 'unknown edition');
  const what = `${edition}, version ${s.Version ?? '?'}`;
  if (s.LicenseActive === false)
    return warn(
      'licence',
      T_LICENCE,
      `licence not active (${what})`,
      'activate the licence in the 3CX Admin Console',
    );
  if (s.ExpirationDate && Date.parse(s.ExpirationDate) < Date.now())
    return warn(
      'licence',
      T_LICENCE,
      `licence expired on ${s.ExpirationDate} (${what})`,
      'renew the 3CX licence',
    );
  if (!official && s.ProductCode && !/ENT|AI|enterprise/i.test(s.ProductCode))
    return warn('licence', T_LICENCE, `edition ${what}`, NEEDS_ENTERPRISE);
  if (official?.maintenanceExpired)
    return warn('licence', T_LICENCE, `${what}; maintenance expired`, 'renew the 3CX maintenance');
  return ok('licence', T_LICENCE, `active (${what})`);
}
