import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the ini points at. */
export interface IniTarget {
  host: string;
  port: number;
  dbName: string;
  readonlyUser: string;
  readonlyPassword: string;
}

/**
 * Key layouts seen in the field ([FIELD], reference §3.1):
 * - `sections`: `[CfgServerProfile] DBHost/DBPort/DBName/MasterDBUser/MasterDBPassword`,
 *   `[QMDatabase] DBName`, `[DbAdminREADONLY] User/Password`.
 * - `flat`: `DBName`, `DBPort`, `DBHost`, `MasterDBUser`, `MasterDBPassword` at the top, before
 *   any section (what `sed -n 's/DBName = \(.*\)/\1/p'` scripts read first), then `[DbAdminREADONLY]`.
 */
export type IniLayout = 'sections' | 'flat';

/** Renders `3CXPhoneSystem.ini` in the V20 `Key = Value` form. */
export function renderIni(t: IniTarget, layout: IniLayout, masterPassword: string): string {
  const db = [
    `DBHost = ${t.host}`,
    `DBPort = ${t.port}`,
    `DBName = ${t.dbName}`,
    'MasterDBUser = phonesystem',
    `MasterDBPassword = ${masterPassword}`,
  ];
  const general = ['[General]', 'PBXUser = phonesystem', 'AppPath = /var/lib/3cxpbx/Bin', ''];
  const readonly = ['[DbAdminREADONLY]', `User = ${t.readonlyUser}`, `Password = ${t.readonlyPassword}`, ''];
  const lines =
    layout === 'flat'
      ? [...db, '', ...general, ...readonly, '[ConfService]', 'ConfPort = 5485', '']
      : [
          ...general,
          '[CfgServerProfile]',
          ...db,
          '',
          '[QMDatabase]',
          `DBName = ${t.dbName}`,
          '',
          ...readonly,
          '[ConfService]',
          'ConfPort = 5485',
          '',
        ];
  return lines.join('\n');
}

/** Writes `<dir>/3CXPhoneSystem.ini` and returns its path. */
export function writeIni(dir: string, t: IniTarget, layout: IniLayout, masterPassword: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(path.resolve(dir), '3CXPhoneSystem.ini');
  writeFileSync(file, renderIni(t, layout, masterPassword), { mode: 0o640 });
  return file;
}
