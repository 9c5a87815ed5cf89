import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

// 3CX as strict as the field saw it: a participant GET is 403 for a leg the client's DN cannot
// control (the list still answers), extension 103 has no registered phone (its legs carry no
// device_id), and a new token closes the sockets opened with the old one.
let h: Harness;
beforeAll(async () => {
  h = await startHarness('ccstrict', {
    seed: 9,
    timeScale: 0.1,
    participantGetForbidden: true,
    unregisteredExtensions: ['103'],
    newTokenClosesSockets: true,
  });
  await h.startWorker();
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 8000, 'callcontrol up');
});
afterAll(async () => h?.stop());

const ofCall = (type: string, callid: number) =>
  h.events('type = $1 AND call_id = $2', [type, String(callid)]);
const errors = (code: string) => h.db.db().errorLog.count({ where: { code } });

it("a participant GET answering 403 (a leg the DN cannot control): the relay reads the DN's list instead, quietly", async () => {
  const gets = h.sim.state().participantGets;
  const s = await h.sim.runScenario('internal'); // 101 calls 102
  await until(async () => (await ofCall('call.ended', s.callid!)).length, 8000, 'call.ended');
  // (Had the list been read only after 102 answered, 101's leg would first show Connected.)
  expect((await ofCall('call.answered', s.callid!)).map((e) => e.data.extension)).toContain('102');
  expect(await errors('CALLCONTROL_GET_FAILED')).toBe(0);
  expect(h.worker!.status.get('callcontrol')?.status).toBe('up');
  // One refused single GET per DN, then the list: not one per Upsert.
  expect(h.sim.state().participantGets - gets).toBeLessThanOrEqual(2);
  const again = await h.sim.runScenario('internal');
  await until(async () => (await ofCall('call.ended', again.callid!)).length, 8000, 'second call.ended');
  expect(h.sim.state().participantGets - gets).toBeLessThanOrEqual(2);
});

it('a participant without device_id (extension with no registered phone) is tracked like any other', async () => {
  const s = await h.sim.runScenario('inbound-missed'); // 103 rings
  const ended = await until(async () => (await ofCall('call.ended', s.callid!))[0], 8000, 'call.ended');
  expect((await ofCall('call.ringing', s.callid!)).map((e) => e.data.extension)).toEqual(['103']);
  expect(ended.data).toMatchObject({ outcome: 'missed', participants: ['103'] });
});

it('a new token closes the sockets opened with the old one: the relay reconnects once, quietly, without another token', async () => {
  const tokens = h.worker!.sources.tokens!;
  const fetches = tokens.fetchCount;
  const since = new Date();
  const disconnected = await errors('CALLCONTROL_DISCONNECTED');
  tokens.invalidate(); // the next XAPI request renews the token, as the hourly refresh does
  await h.worker!.sources.xapi!.activeCalls();
  expect(tokens.fetchCount).toBe(fetches + 1);
  await until(
    () => h.sim.state().wsConnections === 1 && h.worker!.sources.callControl!.socketOpen,
    8000,
    'socket open again',
  );
  const s = await h.sim.runScenario('internal');
  await until(async () => (await ofCall('call.ended', s.callid!)).length, 8000, 'a call after the renewal');
  expect(tokens.fetchCount).toBe(fetches + 1);
  expect(await errors('CALLCONTROL_DISCONNECTED')).toBe(disconnected);
  const downs = await h.db.db().connectionStatus.count({
    where: { component: 'callcontrol', status: 'down', recordedAt: { gte: since } },
  });
  expect(downs).toBe(0);
});
