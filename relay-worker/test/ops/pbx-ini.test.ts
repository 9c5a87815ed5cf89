import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPbxIni } from '../../src/ops/doctor/pbx-ini.js';

// doctor must read the ini exactly as the worker does, or it reports a login the worker never uses.
describe('doctor reads 3CXPhoneSystem.ini like the worker', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const write = (text: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'doctor-ini-'));
    dirs.push(dir);
    const file = path.join(dir, '3CXPhoneSystem.ini');
    writeFileSync(file, text);
    return file;
  };

  it('keeps a read-only password containing ; and # intact, and lists the sections', () => {
    const ini = readPbxIni(
      write(
        '[CfgServerProfile]\nDBHost = 127.0.0.1\nDBPort = 5480\n[QMDatabase]\nDBName = database_single\n[DbAdminREADONLY]\nUser = logsreader_single\nPassword = a;b#c\n',
      ),
    );
    expect(ini).toMatchObject({
      user: 'logsreader_single',
      password: 'a;b#c',
      port: 5480,
      database: 'database_single',
      usedMasterAccount: false,
    });
    expect(ini.sections).toEqual(['CfgServerProfile', 'QMDatabase', 'DbAdminREADONLY']);
  });

  it('says when only the master account is there, and uses it only when the worker would (PBX_DB_MASTER_FALLBACK)', () => {
    const file = write(
      'DBName = database_single\nDBPort = 5432\nMasterDBUser = phonesystem\nMasterDBPassword = secret\n',
    );
    expect(readPbxIni(file)).toMatchObject({
      user: undefined,
      hasMasterAccount: true,
      usedMasterAccount: false,
    });
    expect(readPbxIni(file, true)).toMatchObject({ user: 'phonesystem', usedMasterAccount: true });
  });
});
