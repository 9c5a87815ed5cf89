import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

// The admin's "Active calls" tile reads component_status.details of `callcontrol`. Before,
// it only changed on a reconcile (45 s) or a status change, so it lagged a minute behind.
describe('active-call count for the admin', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('actv', { seed: 5, timeScale: 0.15 });
    await h.startWorker({ CALLCONTROL_RECONCILE_INTERVAL_MS: '600000' });
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
  });
  afterAll(async () => h?.stop());

  const stored = async () => {
    const row = await h.db.db().componentStatus.findUnique({ where: { component: 'callcontrol' } });
    return (row?.details as { activeCalls?: number } | null)?.activeCalls;
  };

  it('follows calls as they start and end, between reconciles, in the database', async () => {
    expect(await stored()).toBe(0);
    const run = h.sim.runScenario('inbound-queue-answered');
    await until(async () => ((await stored()) ?? 0) >= 1, 20_000, 'stored activeCalls ≥ 1 during the call');
    await run;
    await until(async () => (await stored()) === 0, 20_000, 'stored activeCalls back to 0');
  });
});
