import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALFORMED_RESPONSE_KINDS } from '@3cx-relay/simulator';
import { startHarness, until, type Harness } from './sim-harness.js';

// Issue 4/8: malformed and oversized PBX responses are logged (once per kind) and skipped;
// the worker stays up, reports the component degraded and recovers when the PBX is sane again.
describe('the worker survives malformed PBX responses', () => {
  let h: Harness;
  const status = (c: 'xapi' | 'callcontrol') => h.worker!.status.get(c)?.status;
  const logged = async (code: string) => h.db.db().errorLog.count({ where: { code } });
  beforeAll(async () => {
    h = await startHarness('badresp', { seed: 5 });
    await h.startWorker({ XAPI_HEALTH_INTERVAL_MS: '300', CALLCONTROL_RECONCILE_INTERVAL_MS: '600000' });
    await until(() => status('callcontrol') === 'up', 20_000, 'callcontrol up');
    await until(() => status('xapi') === 'up', 20_000, 'xapi up');
  });
  afterAll(async () => h?.stop());

  it('Call Control snapshot: degraded on every kind, one error-log row per error kind, up again after', async () => {
    for (const kind of MALFORMED_RESPONSE_KINDS) {
      await h.sim.faults.set({ malformedResponses: [{ pathPrefix: '/callcontrol', kind }] });
      await h.worker!.sources.callControl!.reconcileNow();
      await h.worker!.sources.callControl!.reconcileNow();
      expect(status('callcontrol'), kind).toBe('degraded');
    }
    expect(await logged('CALLCONTROL_MALFORMED')).toBe(1);
    expect(await logged('CALLCONTROL_TOO_LARGE')).toBe(1);
    await h.sim.faults.clear();
    // The failures above have backed the automatic retry off (1 s, 2 s, 4 s …; its promptness
    // is the test below); the next reconcile, whenever it comes, finds 3CX sane again.
    await h.worker!.sources.callControl!.reconcileNow();
    await until(() => status('callcontrol') === 'up', undefined, 'callcontrol up after the fault');
  });

  it('participant GETs: broken answers are skipped and logged once per kind; later calls are tracked', async () => {
    const cc = h.worker!.sources.callControl!;
    for (const kind of MALFORMED_RESPONSE_KINDS) {
      await h.sim.faults.set({ malformedResponses: [{ pathPrefix: '/callcontrol/10', kind }] });
      await h.sim.runScenario('internal');
      await cc.idle();
    }
    expect(cc.skipped['malformed-response']).toBeGreaterThanOrEqual(4);
    expect(cc.skipped['oversized-response']).toBeGreaterThanOrEqual(1);
    expect(await logged('CALLCONTROL_MALFORMED_MALFORMED_RESPONSE')).toBe(1);
    expect(await logged('CALLCONTROL_MALFORMED_OVERSIZED_RESPONSE')).toBe(1);
    await h.sim.faults.clear();
    const s = await h.sim.runScenario('internal');
    await until(
      async () => (await h.events(`type = 'call.ended' AND call_id = $1`, [String(s.callid)])).length > 0,
      20_000,
      'call.ended of a call after the fault',
    );
  });

  it('XAPI probe: degraded (not down) on every kind, logged once per error kind, up again after', async () => {
    for (const kind of MALFORMED_RESPONSE_KINDS) {
      await h.sim.faults.set({ malformedResponses: [{ pathPrefix: '/xapi', kind }] });
      await h.worker!.sources.xapiSource!.probe();
      expect(status('xapi'), kind).toBe('degraded');
    }
    expect(await logged('XAPI_MALFORMED')).toBe(1);
    expect(await logged('XAPI_TOO_LARGE')).toBe(1);
    await h.sim.faults.clear();
    await until(() => status('xapi') === 'up', 20_000, 'xapi up after the fault');
  });
});
