import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

// XAPI and Call Control need a 3CX Enterprise/AI licence; a PRO or lapsed system refuses
// them with 403. The relay must say so (not "needs the System Owner role") and come back by
// itself once the licence is fixed.
let h: Harness;
beforeAll(async () => {
  h = await startHarness('licence', { seed: 5 });
  await h.startWorker({ XAPI_HEALTH_INTERVAL_MS: '300' });
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
  await until(() => h.worker!.status.get('xapi')?.status === 'up', 20_000, 'xapi up');
});
afterAll(async () => h?.stop());

it('a licence refusal marks XAPI and Call Control down with a licence error (critical), and both recover when the licence is back', async () => {
  await h.sim.faults.set({ licence: 'pro', dropWebSockets: true });
  await until(() => h.worker!.status.get('xapi')?.status === 'down', 20_000, 'xapi down');
  expect(h.worker!.status.get('xapi')?.lastError).toMatch(/licence reason.*Enterprise license/);
  await until(
    () => /licen[cs]e/i.test(h.worker!.status.get('callcontrol')?.lastError ?? ''),
    20_000,
    'callcontrol names the licence',
  );
  expect(h.worker!.status.get('callcontrol')?.status).not.toBe('up');
  expect(h.worker!.status.get('callcontrol')?.lastError).toMatch(/upgrade refused: .*Enterprise license/);
  // The status board shows the error before the feed row is written: wait for both rows.
  const licenceRows = () =>
    h.db.db().errorLog.findMany({
      where: { code: { in: ['XAPI_LICENSE', 'CALLCONTROL_LICENSE'] } },
      orderBy: { code: 'asc' },
    });
  await until(async () => (await licenceRows()).length >= 2, 20_000, 'both licence errors in the feed');
  const logged = await licenceRows();
  expect(logged.map((e) => [e.code, e.severity])).toEqual([
    ['CALLCONTROL_LICENSE', 'critical'],
    ['XAPI_LICENSE', 'critical'],
  ]);

  await h.sim.faults.set({ licence: 'enterprise' });
  await until(() => h.worker!.status.get('xapi')?.status === 'up', 20_000, 'xapi up again');
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up again');
});

it('a licence refusal met first by the periodic snapshot (socket still open) is logged critical too', async () => {
  await h.stopWorker();
  await h.db.db().errorLog.deleteMany({});
  await h.startWorker({ XAPI_HEALTH_INTERVAL_MS: '60000', CALLCONTROL_RECONCILE_INTERVAL_MS: '300' });
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
  // No socket drop: the open WebSocket stays, only REST refuses.
  await h.sim.faults.set({ licence: 'expired' });
  const row = await until(
    () => h.db.db().errorLog.findFirst({ where: { code: 'CALLCONTROL_LICENSE' } }),
    20_000,
    'snapshot licence error in the feed',
  );
  expect(row.severity).toBe('critical');
  expect(row.message).toMatch(/snapshot failed/);
  expect(h.worker!.status.get('callcontrol')?.status).toBe('down');
  await h.sim.faults.set({ licence: 'enterprise' });
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up again');
});

it('a PRO system that refuses with a bare 403 is named a licence problem from GetLicenseParameters (Professional, 3CXPSPROFSPLA), not a role problem', async () => {
  await h.stopWorker();
  await h.db.db().errorLog.deleteMany({});
  await h.sim.faults.set({ licence: 'pro', licenceRefusal: 'bare' });
  await h.startWorker({ XAPI_HEALTH_INTERVAL_MS: '300' });
  await until(() => h.worker!.status.get('xapi')?.status === 'down', 8000, 'xapi down');
  expect(h.worker!.status.get('xapi')?.lastError).toMatch(
    /licence reason: this 3CX is Professional \(3CXPSPROFSPLA\), from GetLicenseParameters/,
  );
  expect(h.worker!.status.get('xapi')?.lastError).not.toMatch(/System Owner/);
  await until(
    () => /Professional/.test(h.worker!.status.get('callcontrol')?.lastError ?? ''),
    8000,
    'callcontrol names the licence',
  );
  const codes = await h.db.db().errorLog.findMany({ where: { component: { in: ['xapi', 'callcontrol'] } } });
  expect(codes.map((e) => e.code)).toEqual(expect.arrayContaining(['XAPI_LICENSE', 'CALLCONTROL_LICENSE']));
  expect(codes.map((e) => e.code)).not.toContain('XAPI_FORBIDDEN');
  await h.sim.faults.clear();
});

it("without GetLicenseParameters (a build that lacks it) the API token's role claims tell the licence", async () => {
  await h.stopWorker();
  await h.sim.faults.set({
    licence: 'pro',
    licenceRefusal: 'bare',
    httpErrors: [{ pathPrefix: '/xapi/v1/Defs/Pbx.GetLicenseParameters', status: 404 }],
  });
  await h.startWorker({ XAPI_HEALTH_INTERVAL_MS: '300' });
  await until(() => h.worker!.status.get('xapi')?.status === 'down', 8000, 'xapi down');
  expect(h.worker!.status.get('xapi')?.lastError).toMatch(
    /licence reason: this 3CX is Professional, from the API token's roles/,
  );
  expect(h.worker!.status.get('xapi')?.details).toMatchObject({
    licence: "Professional, from the API token's roles",
  });
  await h.sim.faults.clear();
});

it("a token refused by 3CX's Console Restrictions (IP allow-list): XAPI down, the error names them as a cause", async () => {
  await h.stopWorker();
  await h.sim.faults.set({ consoleRestricted: true });
  await h.startWorker({ XAPI_HEALTH_INTERVAL_MS: '300' });
  await until(() => h.worker!.status.get('xapi')?.status === 'down', 8000, 'xapi down');
  expect(h.worker!.status.get('xapi')?.lastError).toMatch(
    /\(403\).*Console Restrictions \(the Admin Console's IP allow-list\)/,
  );
  await h.sim.faults.clear();
  await until(() => h.worker!.status.get('xapi')?.status === 'up', 8000, 'xapi up again');
});
