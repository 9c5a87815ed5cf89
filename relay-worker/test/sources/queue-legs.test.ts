import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

// The API client monitors IVR 600 and queue 800 too: the waiting caller's leg shows Connected
// there (at the queue even while the agents ring), as real V20 systems report it.
let h: Harness;
beforeAll(async () => {
  h = await startHarness('qlegs', { seed: 7, monitorQueueIvr: true });
  await h.startWorker();
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 8000, 'callcontrol up');
  await until(() => h.worker!.status.get('db3cx')?.status === 'up', 8000, 'db3cx up');
});
afterAll(async () => h?.stop());

const ofCall = (type: string, callid: number | string) =>
  h.events('type = $1 AND call_id = $2', [type, String(callid)]);

async function ended(callid: number) {
  return until(async () => (await ofCall('call.ended', callid))[0], 10_000, `call.ended ${callid}`);
}

it('a monitored queue or IVR leg turning Connected is not an answer: only the agent answers, answeredBy is the agent', async () => {
  const s = await h.sim.runScenario('inbound-queue-answered');
  const end = await ended(s.callid!);
  const answered = await ofCall('call.answered', s.callid!);
  expect(answered.map((e) => e.data.extension)).toEqual([s.answeredBy]);
  expect(answered[0]!.data.extensionKind).toBe('extension');
  expect(end.data).toMatchObject({
    outcome: 'answered',
    answeredBy: s.answeredBy,
    queue: '800',
    callee: { number: s.answeredBy, kind: 'extension' },
    participants: expect.arrayContaining(['600', '800', '101', '102']),
  });
  expect(end.extensions.sort()).toEqual(['101', '102']);
  const completed = await until(
    async () => (await h.events("type = 'call.completed' AND call_history_id = $1", [s.callHistoryId]))[0],
    10_000,
    'call.completed',
  );
  expect(completed.data).toMatchObject({ outcome: 'answered', answeredBy: s.answeredBy });
});

it('a caller who hangs up while waiting in a monitored queue ends abandoned, with call.missed (abandoned)', async () => {
  const since = (await h.events()).at(-1)?.sequence ?? '0';
  const run = h.sim.runScenario('queue-abandoned');
  const callid = await until(
    async () =>
      (
        await h.events("type = 'call.ringing' AND data->>'extension' = '101' AND sequence > $1::bigint", [
          since,
        ])
      )[0]?.call_id,
    10_000,
    'agents ringing',
  );
  // Agents ring while the queue's leg is Connected: the call is ringing, nobody talks yet.
  expect(h.worker!.sources.callState.activeCalls().find((c) => c.callId === callid)).toMatchObject({
    state: 'ringing',
    answeredAt: null,
    queue: '800',
  });
  const s = await run;
  const end = await ended(s.callid!);
  expect(await ofCall('call.answered', s.callid!)).toEqual([]);
  expect(end.data).toMatchObject({ outcome: 'abandoned', answeredAt: null, answeredBy: null, queue: '800' });
  const missed = await until(async () => (await ofCall('call.missed', s.callid!))[0], 5000, 'call.missed');
  expect(missed.data).toMatchObject({ outcome: 'abandoned', ringingExtensions: ['101', '102'] });
});

it('a caller who hangs up in a monitored IVR: no call.answered, the call is routing meanwhile, and it does not end answered', async () => {
  const run = h.sim.runScenario('inbound-queue-answered');
  await until(() => h.sim.state().participants['600']!.length === 1, 5000, 'caller at the IVR');
  const id = (h.sim.state().participants['600']![0] as { callid: number }).callid;
  await until(
    () => h.worker!.sources.callState.activeCalls().find((c) => c.callId === String(id)),
    5000,
    'relay sees the IVR leg',
  );
  expect(h.worker!.sources.callState.activeCalls().find((c) => c.callId === String(id))?.state).toBe(
    'routing',
  );
  // Hang up through XAPI with the Admin client (a second Owner token would end the worker's).
  const { clientId, clientSecret } = h.sim.clients.admin;
  const token = await fetch(`${h.sim.baseUrl}/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: 'client_credentials',
    }),
  }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
  const drop = await fetch(`${h.sim.baseUrl}/xapi/v1/ActiveCalls(${id})/Pbx.DropCall`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(drop.status).toBe(200);
  await run;
  const end = await ended(id);
  expect(await ofCall('call.answered', id)).toEqual([]);
  expect(end.data).toMatchObject({ answeredAt: null, answeredBy: null });
  expect(end.data.outcome).not.toBe('answered');
});
