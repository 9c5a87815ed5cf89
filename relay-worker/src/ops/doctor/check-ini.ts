import type { Config } from '../../config.js';
import { fail, ok, type CheckResult } from './check.js';
import { findIni, readPbxIni, type PbxIniDb } from './pbx-ini.js';

const TITLE = '3CX ini (3CXPhoneSystem.ini)';

/** Finds and parses the ini and says which database login it holds. */
export function checkIni(config: Config): CheckResult {
  const { path, tried } = findIni(config.PBX_INI_PATH);
  if (!path) {
    if (config.PBX_DB_URL) {
      return ok('ini', TITLE, `not found (${tried.join(', ')}), not needed: PBX_DB_URL is set`);
    }
    return fail(
      'ini',
      TITLE,
      `not found at ${tried.join(' or ')}`,
      'set PBX_INI_PATH in worker.env to the 3CXPhoneSystem.ini of this PBX, or PBX_DB_URL to a read-only postgresql:// URL of database_single',
    );
  }
  let ini: PbxIniDb;
  try {
    ini = readPbxIni(path, config.PBX_DB_MASTER_FALLBACK);
  } catch (err) {
    return fail(
      'ini',
      TITLE,
      `${path} cannot be read: ${(err as Error).message}`,
      'run the command as root (sudo 3cx-relay doctor)',
    );
  }
  if (!ini.user || !ini.password) {
    if (config.PBX_DB_URL)
      return ok('ini', TITLE, `${path} parsed; the database login comes from PBX_DB_URL`);
    return fail(
      'ini',
      TITLE,
      `${path} has no database login ([DbAdminREADONLY] User/Password; sections: ${ini.sections.join(', ') || 'none'})`,
      ini.hasMasterAccount
        ? 'set PBX_DB_URL in worker.env to a read-only postgresql:// URL of database_single, or PBX_DB_MASTER_FALLBACK=true to use the master account (sessions stay read-only)'
        : 'set PBX_DB_URL in worker.env to a read-only postgresql:// URL of database_single',
    );
  }
  const account = ini.usedMasterAccount
    ? `master user ${ini.user} (no [DbAdminREADONLY] account; PBX_DB_MASTER_FALLBACK=true; the relay's sessions are read-only)`
    : `read-only user ${ini.user}`;
  const where = `${ini.database} on port ${ini.port ?? 'default'}, ${account}`;
  return ok('ini', TITLE, `${path} parsed (${where})`);
}
