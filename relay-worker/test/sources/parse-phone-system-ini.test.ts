import { describe, expect, it } from 'vitest';
import { parsePhoneSystemIni } from '../../src/sources/db3cx/parse-phone-system-ini.js';

const sections = `[General]
PBXUser = phonesystem
AppPath = /var/lib/3cxpbx/Bin

[CfgServerProfile]
DBHost = 127.0.0.1
DBPort = 5480
DBName = database_single
MasterDBUser = phonesystem
MasterDBPassword = m4ster

[QMDatabase]
DBName = database_single

[DbAdminREADONLY]
User = logsreader_single
Password = r3ad;only

[ConfService]
ConfPort = 5485
`;

const flat = `DBHost = 127.0.0.1
DBPort = 5432
DBName = database_single
MasterDBUser = phonesystem
MasterDBPassword = m4ster

[General]
PBXUser = phonesystem

[DbAdminREADONLY]
User = logsreader_single
Password = secret
`;

describe('parsePhoneSystemIni', () => {
  it('reads the sectioned layout ([CfgServerProfile], [QMDatabase], [DbAdminREADONLY]) and keeps ; in passwords', () => {
    const s = parsePhoneSystemIni(sections);
    expect(s).toMatchObject({
      host: '127.0.0.1',
      port: 5480,
      database: 'database_single',
      user: 'logsreader_single',
      usedMasterAccount: false,
    });
    expect(s.password).toBe('r3ad;only');
  });
  it('reads the flat layout with keys before any section', () => {
    expect(parsePhoneSystemIni(flat)).toEqual({
      host: '127.0.0.1',
      port: 5432,
      database: 'database_single',
      user: 'logsreader_single',
      password: 'secret',
      usedMasterAccount: false,
      hasMasterAccount: true,
    });
  });
  it('never reads the master password unless allowed; with PBX_DB_MASTER_FALLBACK it falls back to it, and says so', () => {
    const noReadonly = flat.replace(/\[DbAdminREADONLY\][\s\S]*$/, '');
    const refused = parsePhoneSystemIni(noReadonly);
    expect(refused).toMatchObject({ user: undefined, password: undefined, hasMasterAccount: true });
    expect(JSON.stringify(refused)).not.toContain('m4ster');
    const s = parsePhoneSystemIni(noReadonly, { allowMaster: true });
    expect(s).toMatchObject({ user: 'phonesystem', password: 'm4ster', usedMasterAccount: true });
    // Even when allowed, a read-only login wins.
    expect(parsePhoneSystemIni(flat, { allowMaster: true })).toMatchObject({ user: 'logsreader_single' });
  });
  it('reads User/Password from [DbAdminREADONLY] only, not from other sections', () => {
    const s = parsePhoneSystemIni('[General]\nUser = admin\nPassword = pbx-admin-pw\n' + flat);
    expect(s).toMatchObject({ user: 'logsreader_single', password: 'secret' });
    expect(parsePhoneSystemIni('[General]\nUser = admin\nPassword = pbx-admin-pw\n')).toMatchObject({
      user: undefined,
      password: undefined,
    });
  });
  it('leaves missing settings undefined', () => {
    expect(parsePhoneSystemIni('[General]\nPBXUser = x\n')).toEqual({
      host: undefined,
      port: undefined,
      database: undefined,
      user: undefined,
      password: undefined,
      usedMasterAccount: false,
      hasMasterAccount: false,
    });
  });
});
