import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@3cx-relay/simulator';
import { createTestDatabase } from '@3cx-relay/db/testing';
import { loadConfig } from '../../src/config.js';
import { runDoctor } from '../../src/ops/doctor/run-doctor.js';
import { runCommand } from '../../src/ops/commands/run-command.js';
import type { CheckResult } from '../../src/ops/doctor/check.js';

let sim: Simulator;
let iniDir: string;
let ownDbUrl: string;

beforeAll(async () => {
  const pgUrl = process.env.RELAY_TEST_PG_URL;
  if (!pgUrl) throw new Error('RELAY_TEST_PG_URL is not set (run through vitest.global-setup.ts)');
  iniDir = mkdtempSync(path.join(os.tmpdir(), 'doctor-ini-'));
  const suffix = `${process.pid}`;
  sim = await startSimulator({
    pgUrl,
    iniDir,
    dbName: `doctor_db_${suffix}`,
    readonlyRole: `doctor_ro_${suffix}`,
    dropOnStop: true,
  });
  ownDbUrl = (await createTestDatabase()).url;
});

afterAll(async () => {
  await sim?.stop();
  rmSync(iniDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await sim.faults.clear();
});

function config(overrides: Record<string, string> = {}) {
  return loadConfig({
    DATABASE_URL: ownDbUrl,
    PBX_URL: sim.baseUrl,
    PBX_CLIENT_ID: sim.clients.owner.clientId,
    PBX_CLIENT_SECRET: sim.clients.owner.clientSecret,
    PBX_INI_PATH: sim.iniPath ?? '',
    ...overrides,
  });
}

const byId = (results: CheckResult[], id: string) => {
  const r = results.find((x) => x.id === id);
  if (!r) throw new Error(`no check ${id}`);
  return r;
};

describe('3cx-relay doctor against the simulator', () => {
  it('passes every check on a healthy PBX with a System Owner client', async () => {
    const results = await runDoctor(config());
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(byId(results, 'ini').detail).toContain(sim.iniPath);
    expect(byId(results, 'pbx-db').detail).toContain('SELECT on cdroutput works');
    expect(byId(results, 'own-db').detail).toContain('migrations up to date');
  });

  it('exits 0 and prints "All checks passed." when healthy, 1 with the fix when not', async () => {
    let out = '';
    expect(await runCommand('doctor', config(), {}, (t) => (out += t))).toBe(0);
    expect(out).toContain('All checks passed.');
    out = '';
    expect(await runCommand('doctor', config({ PBX_CLIENT_SECRET: 'wrong' }), {}, (t) => (out += t))).toBe(1);
    expect(out).toMatch(/\[FAIL\] XAPI token/);
    expect(out).toContain('fix: check PBX_CLIENT_ID and PBX_CLIENT_SECRET');
  });

  it('wrong client secret: the token check fails and the checks needing a token are skipped', async () => {
    const results = await runDoctor(config({ PBX_CLIENT_SECRET: 'not-the-secret' }));
    expect(byId(results, 'xapi.token')).toMatchObject({ status: 'fail' });
    expect(byId(results, 'xapi.token').detail).toContain('3CX refused client');
    expect(byId(results, 'xapi.role').status).toBe('skip');
    expect(byId(results, 'callcontrol').status).toBe('skip');
  });

  it('System Admin role: CallHistoryView 403 asks for the System Owner role', async () => {
    const results = await runDoctor(
      config({
        PBX_CLIENT_ID: sim.clients.admin.clientId,
        PBX_CLIENT_SECRET: sim.clients.admin.clientSecret,
      }),
    );
    const role = byId(results, 'xapi.role');
    expect(role.status).toBe('fail');
    expect(role.detail).toContain('CallHistoryView answered 403');
    expect(role.fix).toContain('give the API client the System Owner role');
  });

  it('WebSocket refused: the Call Control check fails with the HTTP status', async () => {
    await sim.faults.set({ refuseWebSockets: true });
    const cc = byId(await runDoctor(config()), 'callcontrol');
    expect(cc.status).toBe('fail');
    expect(cc.detail).toMatch(/refused the WebSocket upgrade with HTTP 503/);
  });

  it('PRO licence: XAPI and Call Control checks fail naming the licence; the licence check warns about the edition', async () => {
    await sim.faults.set({ licence: 'pro' });
    const results = await runDoctor(config());
    expect(byId(results, 'xapi.token').status).toBe('ok');
    expect(byId(results, 'xapi.role')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/licence reason: this 3CX is Professional \(3CXPSPROFSPLA\)/),
      fix: expect.stringContaining('Enterprise (ENT) or AI licence'),
    });
    expect(byId(results, 'callcontrol')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/refused the upgrade for a licence reason/),
      fix: expect.stringContaining('Enterprise (ENT) or AI licence'),
    });
    expect(byId(results, 'licence')).toMatchObject({
      status: 'warn',
      detail: 'Professional (3CXPSPROFSPLA), from GetLicenseParameters',
    });
  });

  it("names the licence and the role the official way: GetLicenseParameters and the token's role claims", async () => {
    const results = await runDoctor(config());
    expect(byId(results, 'licence')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(
        /^active \(Enterprise \(3CXPSENT\), from GetLicenseParameters, version 20\.0\.8\)$/,
      ),
    });
    expect(byId(results, 'xapi.role').detail).toContain('its token says role system_owners');
    const admin = await runDoctor(
      config({
        PBX_CLIENT_ID: sim.clients.admin.clientId,
        PBX_CLIENT_SECRET: sim.clients.admin.clientSecret,
      }),
    );
    expect(byId(admin, 'xapi.role').detail).toContain('its token says role system_admins');
  });

  it('PRO refusing with a bare 403: the checks name the licence from GetLicenseParameters, not the role', async () => {
    await sim.faults.set({ licence: 'pro', licenceRefusal: 'bare' });
    const results = await runDoctor(config());
    expect(byId(results, 'xapi.role')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/licence reason: this 3CX is Professional/),
      fix: expect.stringContaining('Enterprise (ENT) or AI licence'),
    });
  });

  it("token refused by 3CX's Console Restrictions (IP allow-list): the token check names them as a cause", async () => {
    await sim.faults.set({ consoleRestricted: true });
    const token = byId(await runDoctor(config()), 'xapi.token');
    expect(token.status).toBe('fail');
    expect(token.detail).toMatch(/3CX refused client 900 \(HTTP 403/);
    expect(token.fix).toMatch(/Console Restrictions .*IP allow-list/);
  });

  it('expired licence: the licence check says when it expired', async () => {
    await sim.faults.set({ licence: 'expired' });
    const licence = byId(await runDoctor(config()), 'licence');
    expect(licence.status).toBe('warn');
    expect(licence.detail).toMatch(/licence not active/);
  });

  it("3CX's database down: the read-only login check says it cannot connect", async () => {
    await sim.faults.set({ dbDown: true });
    const db = byId(await runDoctor(config()), 'pbx-db');
    expect(db.status).toBe('fail');
    expect(db.detail).toMatch(/cannot connect|refused the login/);
    expect(db.fix).toBeTruthy();
  });

  it('missing ini and no PBX_DB_URL: says where it looked and how to fix it', async () => {
    const ini = byId(await runDoctor(config({ PBX_INI_PATH: '/nonexistent/3CXPhoneSystem.ini' })), 'ini');
    expect(ini.status).toBe('fail');
    expect(ini.detail).toContain('/nonexistent/3CXPhoneSystem.ini');
    expect(ini.fix).toContain('PBX_INI_PATH');
  });

  it('own database unreachable: says so and how to start it', async () => {
    const own = byId(
      await runDoctor(config({ DATABASE_URL: 'postgresql://relay:x@127.0.0.1:1/relay' })),
      'own-db',
    );
    expect(own.status).toBe('fail');
    expect(own.detail).toContain('connection refused');
  });
});
