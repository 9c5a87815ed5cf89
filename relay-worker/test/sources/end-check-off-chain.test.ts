import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

// A call ends only when XAPI ActiveCalls no longer lists it (the periodic sweep asks). That
// question must not hold up the frames behind it: at 100 new calls/s some call is always due,
// and a slow answer stalled every screen-pop behind it.
let h: Harness;
beforeAll(async () => {
  h = await startHarness('endoff', { seed: 4, timeScale: 0.2 });
  await h.startWorker({ SOURCE_DB_ENABLED: 'false' });
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
});
afterAll(async () => h?.stop());

const activeCallsAsked = () => h.sim.state().requests['xapi:ActiveCalls'] ?? 0;

it('frames go on while an ActiveCalls check is waiting; the call it is about ends when the answer comes', async () => {
  // Every ActiveCalls answer now takes 8 s (the worker's XAPI timeout is 10 s).
  await h.sim.faults.set({ delayMs: 8000, delayPathPrefix: '/xapi/v1/ActiveCalls' });
  const asked = activeCallsAsked();
  await h.sim.runScenario('internal');
  const [first] = await until(
    async () => {
      const rows = await h.events(`type = 'call.ringing'`);
      return rows.length ? rows : undefined;
    },
    20_000,
    'first call ringing',
  );
  // Its participants are gone: after the end grace the sweep asks ActiveCalls, and waits 8 s.
  await until(() => activeCallsAsked() > asked, 20_000, 'ActiveCalls asked about the first call');
  const second = h.sim.runScenario('internal');
  const ringing = await until(
    async () => (await h.events(`type = 'call.ringing' AND call_id <> $1`, [first!.call_id])).at(0),
    20_000,
    'second call ringing',
  );
  // The second call's ringing was stored while the answer about the first call was still held.
  expect(await h.events(`type = 'call.ended' AND call_id = $1`, [first!.call_id])).toEqual([]);
  expect(ringing.call_id).not.toBe(first!.call_id);
  await h.sim.faults.clear();
  await second;
  await until(
    async () => (await h.events(`type = 'call.ended' AND call_id = $1`, [first!.call_id])).length === 1,
    30_000,
    'the first call ended once the answer came',
  );
}, 90_000);
