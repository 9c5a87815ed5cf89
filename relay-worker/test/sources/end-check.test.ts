import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

// Agent 102 is not monitored: once it answers, the call has no visible participant and only
// XAPI ActiveCalls can say it is still alive. Seed 8 makes 102 answer the first two queue calls.
let h: Harness;
beforeAll(async () => {
  h = await startHarness('endchk', { seed: 8, timeScale: 0.2, ownerMonitors: ['100', '101', '103'] });
  await h.startWorker();
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
});
afterAll(async () => h?.stop());

const endedOf = (callid: number | string) =>
  h.events("type = 'call.ended' AND call_id = $1", [String(callid)]);

it('a failed ActiveCalls check never ends a call: calls stay open while XAPI fails, then end once each; logged once', async () => {
  await h.sim.faults.set({ httpErrors: [{ pathPrefix: '/xapi/v1/ActiveCalls', status: 500 }] });
  const runs = [h.sim.runScenario('inbound-queue-answered'), h.sim.runScenario('inbound-queue-answered')];
  // Both calls are seen ringing at 101, then 102 (unmonitored) answers and they vanish from view.
  await until(
    async () => (await h.events("type = 'call.ringing' AND data->>'extension' = '101'")).length >= 2,
    20_000,
    'both calls ringing at 101',
  );
  const callids = (await h.events("type = 'call.ringing' AND data->>'extension' = '101'")).map(
    (e) => e.call_id!,
  );
  await until(() => h.sim.state().participants['101']!.length === 0, 20_000, '101 stops ringing');
  // Wait for evidence, not time: the check has failed and been retried twice (1 s, then 2 s of
  // backoff), each time well past the end grace (300 ms), while both calls still talk.
  const refused = () => h.sim.state().httpErrorsServed['/xapi/v1/ActiveCalls'] ?? 0;
  await until(() => refused() >= 3, 30_000, 'three failed ActiveCalls checks');
  const logged = await until(
    async () => {
      const rows = await h.db.db().errorLog.findMany({ where: { code: 'CALLCONTROL_END_CHECK_FAILED' } });
      return rows.length ? rows : undefined;
    },
    20_000,
    'the end-check failure logged',
  );
  expect(h.sim.state().activeCalls).toHaveLength(2);
  for (const id of callids) expect(await endedOf(id)).toEqual([]);
  expect(logged).toHaveLength(1);
  expect(logged[0]!.severity).toBe('warning');

  await h.sim.faults.clear();
  const results = await Promise.all(runs);
  expect(results.map((r) => r.answeredBy)).toEqual(['102', '102']);
  for (const id of callids) await until(async () => (await endedOf(id)).length, 20_000, `call.ended ${id}`);
  // No second call.ended: let the sweep (every 100 ms) pass over the ended calls again.
  await new Promise((r) => setTimeout(r, 1000));
  for (const id of callids) expect(await endedOf(id)).toHaveLength(1);
  expect(await h.db.db().errorLog.count({ where: { code: 'CALLCONTROL_END_CHECK_FAILED' } })).toBe(1);
});
