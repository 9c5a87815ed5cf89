import type { Config } from '../../config.js';
import type { CheckResult } from './check.js';
import { checkIni } from './check-ini.js';
import { checkPbxDb } from './check-pbx-db.js';
import { checkLicence, checkRole, checkToken } from './check-xapi.js';
import { checkCallControl } from './check-callcontrol.js';
import { checkOwnDb } from './check-own-db.js';
import { createDoctorHttp } from './http.js';

/**
 * Runs every check in order and returns them all; a failed check never stops the others
 * (later ones that need its result report `skip`).
 * Note: fetching a token may end the worker's current token (3CX allows one per client); the
 * worker fetches a new one on its next 401.
 */
export async function runDoctor(config: Config): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  results.push(checkIni(config), await checkPbxDb(config));
  const http = createDoctorHttp({ pbxUrl: config.PBX_URL, insecureTls: config.PBX_TLS_INSECURE });
  try {
    const { result: tokenResult, token } = await checkToken(config, http);
    results.push(tokenResult);
    results.push(await checkRole(config, http, token));
    results.push(await checkCallControl(config, token));
    results.push(await checkLicence(config, http, token));
  } finally {
    await http.close();
  }
  results.push(await checkOwnDb(config));
  return results;
}

const MARK: Record<CheckResult['status'], string> = { ok: 'ok  ', fail: 'FAIL', warn: 'warn', skip: 'skip' };

/** The report as plain text, one check per line and its fix indented below. */
export function formatReport(results: CheckResult[]): string {
  const lines = results.flatMap((r) => {
    const head = `[${MARK[r.status]}] ${r.title}: ${r.detail}`;
    return r.fix && r.status !== 'ok' ? [head, `       fix: ${r.fix}`] : [head];
  });
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push('', failed ? `${failed} check(s) failed.` : 'All checks passed.');
  return lines.join('\n') + '\n';
}
