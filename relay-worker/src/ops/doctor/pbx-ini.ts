import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'ini';

/** Where 3CX V20 keeps its ini on Debian: the live file first, the Instance1 copy second. */
export const DEFAULT_INI_PATHS = [
  '/var/lib/3cxpbx/Bin/3CXPhoneSystem.ini',
  '/var/lib/3cxpbx/Instance1/Bin/3CXPhoneSystem.ini',
];

/** The parts of 3CXPhoneSystem.ini the relay needs: the read-only login to 3CX's database. */
export interface PbxIniDb {
  path: string;
  sections: string[];
  database: string;
  port: number | undefined;
  host: string | undefined;
  user: string | undefined;
  password: string | undefined;
}

/** The first ini that exists: the explicit path, else the default paths. */
export function findIni(explicit: string | undefined): { path?: string; tried: string[] } {
  const tried = explicit ? [explicit] : DEFAULT_INI_PATHS;
  return { path: tried.find((p) => existsSync(p)), tried };
}

type Section = Record<string, unknown>;

/** Case-insensitive key lookup in one section. */
function pick(section: Section | undefined, key: string): string | undefined {
  if (!section) return undefined;
  const hit = Object.keys(section).find((k) => k.toLowerCase() === key.toLowerCase());
  const v = hit ? section[hit] : undefined;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/**
 * Reads the database settings from 3CXPhoneSystem.ini (`Key = Value`, keys before the first
 * section allowed): `[DbAdminREADONLY] User/Password`, `DBName`/`DBPort`/`DBHost` at the top or under `[CfgServerProfile]`.
 * Throws when the file cannot be read.
 */
export function readPbxIni(path: string): PbxIniDb {
  const parsed = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const top: Section = {};
  const sections: Record<string, Section> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (v && typeof v === 'object') sections[k.toLowerCase()] = v as Section;
    else top[k] = v;
  }
  const profile = sections['cfgserverprofile'];
  const readonly = sections['dbadminreadonly'];
  const port = pick(top, 'DBPort') ?? pick(profile, 'DBPort');
  return {
    path,
    sections: Object.keys(parsed).filter((k) => typeof parsed[k] === 'object'),
    database: pick(top, 'DBName') ?? pick(profile, 'DBName') ?? 'database_single',
    port: port && /^\d+$/.test(port) ? Number(port) : undefined,
    host: pick(top, 'DBHost') ?? pick(profile, 'DBHost'),
    user: pick(readonly, 'User'),
    password: pick(readonly, 'Password'),
  };
}
