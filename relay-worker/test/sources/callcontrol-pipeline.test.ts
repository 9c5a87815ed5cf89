import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('ccpipe', { seed: 5, duplicateUpsertProbability: 0 });
  await h.startWorker();
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 5000, 'callcontrol up');
});
afterAll(async () => h?.stop());

/** The live events of one run of `internal` (101 calls 102), as `type:extension`. */
async function internalCallEvents(): Promise<string[]> {
  const s = await h.sim.runScenario('internal');
  const callid = String(s.callid);
  await until(
    async () => (await h.events("type = 'call.ended' AND call_id = $1", [callid])).length,
    8000,
    'call.ended',
  );
  const live = await h.events("call_id = $1 AND type <> 'call.completed'", [callid]);
  return live.map((e) => `${e.type}${e.data.extension ? `:${String(e.data.extension)}` : ''}`);
}

it('answers to participant GETs that come back out of order are applied in frame order: the same events', async () => {
  const prompt = await internalCallEvents();
  expect(prompt).toEqual(['call.ringing:102', 'call.answered:102', 'call.ended']);
  // The caller's participant answers 60 ms late, the callee's at once: with the GETs sent as the
  // frames arrive, 102's answer is back first, yet must be applied after 101's.
  await h.sim.faults.set({ delayMs: 60, delayPathPrefix: '/callcontrol/101/participants' });
  try {
    expect(await internalCallEvents()).toEqual(prompt);
  } finally {
    await h.sim.faults.clear();
  }
});
