import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'ini';

/** Where 3CX V20 keeps its ini on Debian, in the order tried ([FIELD]: the first is the live file). */
export const DEFAULT_INI_PATHS = [
  '/var/lib/3cxpbx/Bin/3CXPhoneSystem.ini',
  '/var/lib/3cxpbx/Instance1/Bin/3CXPhoneSystem.ini',
];

/** Database settings found in a 3CXPhoneSystem.ini. Fields are undefined when the file lacks them. */
export interface PhoneSystemDbSettings {
  host?: string | undefined;
  port?: number | undefined;
  database?: string | undefined;
  /** The read-only account (`[DbAdminREADONLY]` User/Password). */
  user?: string | undefined;
  password?: string | undefined;
  /** True when no read-only account was found and the master account had to be used. */
  usedMasterAccount: boolean;
}

type Section = Record<string, unknown>;

/** Case-insensitive key lookup in one section. */
function pick(section: Section | undefined, ...keys: string[]): string | undefined {
  if (!section) return undefined;
  for (const [k, v] of Object.entries(section)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    if (keys.some((key) => key.toLowerCase() === k.toLowerCase())) {
      const s = String(v).trim();
      if (s) return s;
    }
  }
  return undefined;
}

function sectionNamed(doc: Section, name: string): Section | undefined {
  const key = Object.keys(doc).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key ? doc[key] : undefined;
  return v && typeof v === 'object' ? (v as Section) : undefined;
}

/**
 * Reads the database settings out of a 3CXPhoneSystem.ini (`Key = Value` layout). Handles both
 * layouts seen on V20: keys at the top of the file (`DBName`, `DBPort`, `MasterDBUser`, …) and
 * the sectioned one (`[CfgServerProfile]` DBHost/DBPort, `[QMDatabase]` DBName). The read-only
 * credentials come from `[DbAdminREADONLY]`; the master account is only a last resort.
 */
export function parsePhoneSystemIni(text: string): PhoneSystemDbSettings {
  const doc: Section = parse(quoteValues(text));
  const top: Section = Object.fromEntries(Object.entries(doc).filter(([, v]) => typeof v !== 'object'));
  const profile = sectionNamed(doc, 'CfgServerProfile');
  const qm = sectionNamed(doc, 'QMDatabase');
  const ro = sectionNamed(doc, 'DbAdminREADONLY');
  const port = pick(top, 'DBPort') ?? pick(profile, 'DBPort');
  let user = pick(ro, 'User', 'UserName', 'DBUser');
  let password = pick(ro, 'Password', 'DBPassword');
  let usedMasterAccount = false;
  if (!user || !password) {
    const masterUser = pick(top, 'MasterDBUser') ?? pick(profile, 'MasterDBUser');
    const masterPassword = pick(top, 'MasterDBPassword') ?? pick(profile, 'MasterDBPassword');
    if (masterUser && masterPassword) {
      user = masterUser;
      password = masterPassword;
      usedMasterAccount = true;
    }
  }
  const portNumber = port ? Number.parseInt(port, 10) : undefined;
  return {
    host: pick(top, 'DBHost') ?? pick(profile, 'DBHost'),
    port: portNumber && Number.isFinite(portNumber) ? portNumber : undefined,
    database: pick(top, 'DBName') ?? pick(qm, 'DBName') ?? pick(profile, 'DBName'),
    user,
    password,
    usedMasterAccount,
  };
}

/**
 * 3CX writes values verbatim (`Password = ab;c#d`), but `ini` strips `;`/`#` as inline
 * comments. Quoting every unquoted value keeps such passwords whole.
 */
function quoteValues(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const m = /^(\s*[^\s=;#[][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
      if (!m || m[2]!.startsWith('"')) return line;
      return `${m[1]} = ${JSON.stringify(m[2])}`;
    })
    .join('\n');
}

/** The first existing ini among `explicit` or the {@link DEFAULT_INI_PATHS}, or undefined. */
export function findPhoneSystemIni(explicit?: string): string | undefined {
  const candidates = explicit ? [explicit] : DEFAULT_INI_PATHS;
  return candidates.find((p) => existsSync(p));
}

/** Reads and parses an ini file. */
export function readPhoneSystemIni(path: string): PhoneSystemDbSettings {
  return parsePhoneSystemIni(readFileSync(path, 'utf8'));
}
