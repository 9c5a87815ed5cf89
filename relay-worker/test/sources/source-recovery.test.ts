import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

// Found by bench/faults pbx-faults: slow XAPI stayed `up`, and a failed Call Control snapshot
// waited a whole reconcile period (45 s by default) before trying again.
describe('sources recover from PBX trouble promptly', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('recov', { seed: 11 });
    await h.startWorker({
      XAPI_HEALTH_INTERVAL_MS: '300',
      XAPI_DEGRADED_LATENCY_MS: '400',
      // Far longer than the test: only the retry backoff can bring the source back in time.
      CALLCONTROL_RECONCILE_INTERVAL_MS: '600000',
    });
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
    await until(() => h.worker!.status.get('xapi')?.status === 'up', 20_000, 'xapi up');
  });
  afterAll(async () => h?.stop());

  it('marks XAPI degraded while it answers slowly, and up again when it is fast', async () => {
    await h.sim.faults.set({ delayMs: 700, delayPathPrefix: '/xapi/v1/Defs' });
    await until(() => h.worker!.status.get('xapi')?.status === 'degraded', 20_000, 'xapi degraded');
    expect(h.worker!.status.get('xapi')?.lastError).toMatch(/answers slowly/);
    const logged = await h.db.db().errorLog.findMany({ where: { code: 'XAPI_SLOW' } });
    expect(logged).toHaveLength(1);
    await h.sim.faults.clear();
    await until(() => h.worker!.status.get('xapi')?.status === 'up', 20_000, 'xapi up again');
  });

  it('retries a failed Call Control snapshot within seconds, not a reconcile period', async () => {
    await h.sim.faults.set({ httpErrors: [{ pathPrefix: '/callcontrol', status: 500 }] });
    await h.worker!.sources.callControl!.reconcileNow();
    expect(h.worker!.status.get('callcontrol')?.status).toBe('degraded');
    await h.sim.faults.clear();
    await until(
      () => h.worker!.status.get('callcontrol')?.status === 'up',
      20_000,
      'callcontrol up after retry',
    );
  });
});
