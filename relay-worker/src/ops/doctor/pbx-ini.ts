import { readFileSync } from 'node:fs';
import {
  DEFAULT_INI_PATHS,
  findPhoneSystemIni,
  parsePhoneSystemIni,
} from '../../sources/db3cx/parse-phone-system-ini.js';

/**
 * What doctor reports about 3CXPhoneSystem.ini: the database login the worker will use, read by
 * the worker's own parser (both V20 layouts; passwords with `;` or `#` intact), plus the
 * section names for messages.
 */
export interface PbxIniDb {
  path: string;
  sections: string[];
  database: string;
  port: number | undefined;
  host: string | undefined;
  user: string | undefined;
  password: string | undefined;
  /** No `[DbAdminREADONLY]` account and PBX_DB_MASTER_FALLBACK: the master account, read-only sessions. */
  usedMasterAccount: boolean;
  /** The ini names a master account (whose password is read only with PBX_DB_MASTER_FALLBACK). */
  hasMasterAccount: boolean;
}

/** The first ini that exists: the explicit path, else the default paths. */
export function findIni(explicit: string | undefined): { path?: string; tried: string[] } {
  return { path: findPhoneSystemIni(explicit), tried: explicit ? [explicit] : DEFAULT_INI_PATHS };
}

/** Reads the ini as the worker does. Throws when the file cannot be read. */
export function readPbxIni(path: string, allowMaster = false): PbxIniDb {
  const text = readFileSync(path, 'utf8');
  const s = parsePhoneSystemIni(text, { allowMaster });
  return {
    path,
    sections: [...text.matchAll(/^\s*\[([^\]\r\n]+)\]/gm)].map((m) => m[1]!.trim()),
    database: s.database ?? 'database_single',
    port: s.port,
    host: s.host,
    user: s.user,
    password: s.password,
    usedMasterAccount: s.usedMasterAccount,
    hasMasterAccount: s.hasMasterAccount,
  };
}
