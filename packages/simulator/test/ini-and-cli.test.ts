import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderIni } from '../src/ini/write-ini.js';
import { api, getToken, pgUrl, startTestSim } from './helpers.js';

const target = {
  host: '127.0.0.1',
  port: 5432,
  dbName: 'database_single',
  readonlyUser: 'logsreader_single',
  readonlyPassword: 'pw',
};
const parse = (text: string) => {
  const out: Record<string, string> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const s = /^\[(.+)\]$/.exec(line);
    if (s) section = s[1] ?? '';
    const kv = /^(\w+) = (.*)$/.exec(line);
    if (kv) out[`${section}.${kv[1]}`] ??= kv[2] ?? '';
  }
  return out;
};

describe('3CXPhoneSystem.ini', () => {
  it('sections layout: [CfgServerProfile] DBHost/DBPort, [QMDatabase] DBName, [DbAdminREADONLY] User/Password', () => {
    const ini = parse(renderIni(target, 'sections', 'm'));
    expect(ini).toMatchObject({
      'CfgServerProfile.DBHost': '127.0.0.1',
      'CfgServerProfile.DBPort': '5432',
      'QMDatabase.DBName': 'database_single',
      'DbAdminREADONLY.User': 'logsreader_single',
      'DbAdminREADONLY.Password': 'pw',
    });
  });

  it('flat layout: DBName/DBPort/MasterDBUser before any section', () => {
    const ini = parse(renderIni(target, 'flat', 'm'));
    expect(ini).toMatchObject({
      '.DBName': 'database_single',
      '.DBPort': '5432',
      '.MasterDBUser': 'phonesystem',
      'DbAdminREADONLY.User': 'logsreader_single',
    });
  });

  it('the written file points at the database with the read-only credentials', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sim-ini-'));
    const sim = await startTestSim('ini', { iniDir: dir, version: '20.0.9' });
    try {
      expect(sim.iniPath).toBe(path.join(dir, '3CXPhoneSystem.ini'));
      const ini = parse(readFileSync(sim.iniPath as string, 'utf8'));
      const url = new URL(sim.readonlyDbUrl);
      expect(ini['.DBName']).toBe('simdb_ini');
      expect(ini['.DBPort']).toBe(url.port);
      expect(ini['DbAdminREADONLY.User']).toBe('simro_ini');
      expect(ini['DbAdminREADONLY.Password']).toBe(decodeURIComponent(url.password));
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI', () => {
  it('prints exactly one JSON ready line, serves, and stops cleanly on SIGTERM', async () => {
    const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        cli,
        '--pg-url',
        pgUrl(),
        '--db-name',
        'simdb_cli',
        '--readonly-role',
        'simro_cli',
        '--version',
        '20.0.9',
        '--seed',
        '3',
        '--time-scale',
        '0.01',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (l) => lines.push(l));
    const ready = await new Promise<string>((resolve, reject) => {
      rl.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(ready);
    expect(Object.keys(info)).toEqual(['baseUrl', 'owner', 'admin', 'readonlyDbUrl', 'iniPath']);
    expect(info.readonlyDbUrl).toMatch(/^postgresql:\/\/simro_cli:.+@127\.0\.0\.1:\d+\/simdb_cli$/);
    const sim = { baseUrl: info.baseUrl, clients: { owner: info.owner, admin: info.admin } } as never;
    const token = await getToken(sim);
    expect((await api(sim, token, '/xapi/v1/Defs?$select=Id')).status).toBe(200);
    const code = await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
  });
});
