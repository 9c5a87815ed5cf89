import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

// The worker runs as the Admin client (it sees extension 101); the test drives calls with the
// Owner client, which may act on 100–104. A makecall leg starts unrouted (party_dn_type None)
// and a callee that declines sends the caller to voicemail (Wspecialmenu).
let h: Harness;
let owner: string;
beforeAll(async () => {
  h = await startHarness('ptypes', { seed: 6, timeScale: 0.1 }, 'admin');
  await h.startWorker({ SOURCE_DB_ENABLED: 'false' });
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 8000, 'callcontrol up');
  const { clientId, clientSecret } = h.sim.clients.owner;
  const res = await fetch(`${h.sim.baseUrl}/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: 'client_credentials',
    }),
  });
  owner = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(async () => h?.stop());

const cc = async (path: string, body?: unknown) => {
  const res = await fetch(`${h.sim.baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as any;
};
const ofCall = (type: string, callid: number) =>
  h.events('type = $1 AND call_id = $2', [type, String(callid)]);

it('a makecall leg that starts with party type None is reported by its routed party: outbound, answered by the outside party', async () => {
  const made = await cc('/callcontrol/101/makecall', { destination: '0123456789' });
  expect(made.result).toMatchObject({ party_dn_type: 'None', party_dn: '' });
  const callid = made.result.callid as number;
  const answered = await until(async () => (await ofCall('call.answered', callid))[0], 10_000, 'answered');
  expect(answered.data).toMatchObject({
    direction: 'outbound',
    extension: '101',
    callee: { number: '0123456789', dn: '10007', kind: 'external' },
  });
  await cc(`/callcontrol/101/participants/${made.result.id}/drop`, {});
  const ended = await until(async () => (await ofCall('call.ended', callid))[0], 10_000, 'ended');
  expect(ended.data).toMatchObject({ direction: 'outbound', outcome: 'answered', answeredBy: '0123456789' });
});

it('a caller sent to voicemail (party type Wspecialmenu) ends with a voicemail callee, never answered', async () => {
  const made = await cc('/callcontrol/101/makecall', { destination: '102' });
  const callid = made.result.callid as number;
  const ringing = await until(
    async () => (await cc('/callcontrol/102/participants'))[0],
    10_000,
    '102 rings',
  );
  await cc(`/callcontrol/102/participants/${ringing.id}/drop`, {});
  await until(
    () =>
      h
        .worker!.sources.callState.activeCalls()
        .find((c) => c.callId === String(callid) && c.state === 'talking'),
    10_000,
    'the mailbox records',
  );
  await cc(`/callcontrol/101/participants/${made.result.id}/drop`, {});
  const ended = await until(async () => (await ofCall('call.ended', callid))[0], 10_000, 'ended');
  expect(await ofCall('call.answered', callid)).toEqual([]);
  expect(ended.data).toMatchObject({
    direction: 'internal',
    answeredBy: null,
    callee: { number: '102', dn: '666', kind: 'voicemail' },
  });
  expect(ended.data.outcome).not.toBe('answered');
});
