import { existsSync, readFileSync } from 'node:fs';

/** Where 3CX V20 keeps its ini on Debian, in the order tried ([FIELD]: the first is the live file). */
export const DEFAULT_INI_PATHS = [
  '/var/lib/3cxpbx/Bin/3CXPhoneSystem.ini',
  '/var/lib/3cxpbx/Instance1/Bin/3CXPhoneSystem.ini',
];

/** The section holding 3CX's read-only database login. */
export const READONLY_SECTION = 'DbAdminREADONLY';

/** Database settings found in a 3CXPhoneSystem.ini. Fields are undefined when the file lacks them. */
export interface PhoneSystemDbSettings {
  host?: string | undefined;
  port?: number | undefined;
  database?: string | undefined;
  /** The read-only account (`[DbAdminREADONLY]` User/Password), or the master one when allowed. */
  user?: string | undefined;
  password?: string | undefined;
  /** True when no read-only account was found and the master account was used (only when allowed). */
  usedMasterAccount: boolean;
  /** The file names a master account (`MasterDBUser`); its password is never read unless allowed. */
  hasMasterAccount: boolean;
}

/** Options of {@link parsePhoneSystemIni}. */
export interface IniReadOptions {
  /**
   * Use `MasterDBUser`/`MasterDBPassword` when there is no `[DbAdminREADONLY]` login
   * (PBX_DB_MASTER_FALLBACK; default false: the master password is never read).
   */
  allowMaster?: boolean;
}

/** Where each wanted value may stand: `''` is the top of the file, before any section. */
const LOCATION_SECTIONS = ['', 'cfgserverprofile', 'qmdatabase'];
const MASTER_SECTIONS = ['', 'cfgserverprofile'];

/**
 * Reads only what the relay needs out of a 3CXPhoneSystem.ini (`Key = Value` lines, values
 * verbatim so passwords keep `;` and `#`): where the database is (`DBHost`, `DBPort`, `DBName`
 * at the top or in `[CfgServerProfile]`/`[QMDatabase]`, both V20 layouts) and the read-only login
 * of `[DbAdminREADONLY]`. Every other line is skipped unread: the master account's password
 * (`MasterDBPassword`) is picked up only with `allowMaster`, and only when no read-only login exists.
 */
export function parsePhoneSystemIni(text: string, opts: IniReadOptions = {}): PhoneSystemDbSettings {
  const found = new Map<string, string>();
  let section = '';
  const want = (key: string): string | undefined => {
    if (section === READONLY_SECTION.toLowerCase() && (key === 'user' || key === 'password'))
      return `ro.${key}`;
    if (LOCATION_SECTIONS.includes(section) && ['dbhost', 'dbport', 'dbname'].includes(key)) return key;
    if (MASTER_SECTIONS.includes(section) && key === 'masterdbuser') return key;
    if (opts.allowMaster && MASTER_SECTIONS.includes(section) && key === 'masterdbpassword') return key;
    return undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      continue;
    }
    const kv = /^\s*([^\s=;#[][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (!kv) continue;
    const slot = want(kv[1]!.toLowerCase());
    const value = kv[2]!.replace(/^"(.*)"$/, '$1');
    // The first occurrence wins, as with the `sed … | head -1` scripts of the field.
    if (slot && value && !found.has(slot)) found.set(slot, value);
  }
  let user = found.get('ro.user');
  let password = found.get('ro.password');
  let usedMasterAccount = false;
  if (
    (!user || !password) &&
    opts.allowMaster &&
    found.get('masterdbuser') &&
    found.get('masterdbpassword')
  ) {
    user = found.get('masterdbuser');
    password = found.get('masterdbpassword');
    usedMasterAccount = true;
  }
  const port = Number.parseInt(found.get('dbport') ?? '', 10);
  return {
    host: found.get('dbhost'),
    port: Number.isFinite(port) ? port : undefined,
    database: found.get('dbname'),
    user,
    password,
    usedMasterAccount,
    hasMasterAccount: found.has('masterdbuser'),
  };
}

/** The first existing ini among `explicit` or the {@link DEFAULT_INI_PATHS}, or undefined. */
export function findPhoneSystemIni(explicit?: string): string | undefined {
  const candidates = explicit ? [explicit] : DEFAULT_INI_PATHS;
  return candidates.find((p) => existsSync(p));
}

/** Reads and parses an ini file. */
export function readPhoneSystemIni(path: string, opts: IniReadOptions = {}): PhoneSystemDbSettings {
  return parsePhoneSystemIni(readFileSync(path, 'utf8'), opts);
}
