import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

const ofType = (h: Harness, type: string, callid: number) =>
  h.events('type = $1 AND call_id = $2', [type, String(callid)]);

/** A token of the simulator's Admin client (the worker holds the Owner's). */
async function adminToken(h: Harness): Promise<string> {
  const { clientId, clientSecret } = h.sim.clients.admin;
  const res = await fetch(`${h.sim.baseUrl}/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: 'client_credentials',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A Call Control POST (JSON body) with the Admin client's token. */
async function adminCc(h: Harness, token: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${h.sim.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}

describe('Call Control quirks seen from the worker', () => {
  let h: Harness;
  beforeAll(async () => {
    // Every Upsert is sent twice (3CX "routinely sends the same Upsert twice").
    h = await startHarness('ccq', { seed: 3, duplicateUpsertProbability: 1 });
    await h.startWorker({ CALLCONTROL_RECONCILE_INTERVAL_MS: '500' });
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
  });
  afterAll(async () => h?.stop());

  it('duplicate Upserts give one event per transition', async () => {
    const s = await h.sim.runScenario('inbound-missed');
    await until(async () => (await ofType(h, 'call.ended', s.callid!)).length, 20_000, 'call.ended');
    expect(await ofType(h, 'call.ringing', s.callid!)).toHaveLength(1);
    expect(await ofType(h, 'call.ended', s.callid!)).toHaveLength(1);
    expect(await ofType(h, 'call.missed', s.callid!)).toHaveLength(1);
  });

  it('a WebSocket drop mid-call still yields call.ended after the reconnect reconcile', async () => {
    const run = h.sim.runScenario('ringing-at-connect');
    const callid = await until(
      async () => (await h.events("type = 'call.ringing' AND data->>'extension' = '100'")).at(-1)?.call_id,
      20_000,
      'ringing',
    );
    await h.sim.faults.set({ refuseWebSockets: true, dropWebSockets: true });
    await until(() => h.worker!.status.get('callcontrol')?.status === 'down', 20_000, 'callcontrol down');
    const s = await run; // the call is answered and hung up while the relay is blind
    expect(String(s.callid)).toBe(callid);
    expect(await ofType(h, 'call.ended', s.callid!)).toEqual([]);
    await h.sim.faults.clear();
    const ended = await until(
      async () => (await ofType(h, 'call.ended', s.callid!))[0],
      20_000,
      'reconciled call.ended',
    );
    expect(ended.data.reconciled).toBe(true);
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up again');
  });

  it('malformed frames are logged once per kind and skipped, without dropping the connection', async () => {
    const cc = h.worker!.sources.callControl!;
    const connections = h.sim.state().wsConnections;
    await h.sim.faults.set({ malformedFrame: 'non-json' });
    await h.sim.faults.set({ malformedFrame: 'non-json' });
    await h.sim.faults.set({ malformedFrame: 'wrong-shape' });
    await h.sim.faults.set({ malformedFrame: 'oversized' });
    await until(() => cc.skipped['oversized'], 20_000, 'oversized skipped');
    expect(cc.skipped).toMatchObject({ 'not-json': 2, 'wrong-shape': 1, oversized: 1 });
    const logged = await h.db.db().errorLog.findMany({ where: { code: 'CALLCONTROL_MALFORMED_NOT_JSON' } });
    expect(logged).toHaveLength(1);
    expect(h.sim.state().wsConnections).toBe(connections);
    const s = await h.sim.runScenario('internal');
    await until(
      async () => (await ofType(h, 'call.ended', s.callid!)).length,
      20_000,
      'call after malformed frames',
    );
  });

  it('a 500 on a participant GET is logged and the reconcile still reports the call', async () => {
    await h.sim.faults.set({ httpErrors: [{ pathPrefix: '/callcontrol/100/participants', status: 500 }] });
    const s = await h.sim.runScenario('ringing-at-connect');
    await h.sim.faults.clear();
    await until(
      async () => (await ofType(h, 'call.ended', s.callid!)).length,
      20_000,
      'call.ended via reconcile',
    );
    expect(h.worker!.status.get('callcontrol')?.status).toBe('up');
    expect(await h.db.db().errorLog.count({ where: { code: 'CALLCONTROL_GET_FAILED' } })).toBe(1);
  });

  it("DTMF frames come only for the route point's own calls and carry no call state: no GET, nothing skipped, the call goes on", async () => {
    const cc = h.worker!.sources.callControl!;
    const skipped = { ...cc.skipped };
    const since = (await h.events()).at(-1)?.sequence ?? '0';
    // A call to the worker's route point 900, placed by the Admin client from extension 101
    // (an Owner token would end the worker's). It rings at 900 until an app answers it.
    const admin = await adminToken(h);
    const made = await adminCc(h, admin, '/callcontrol/101/makecall', { destination: '900' });
    await until(
      async () =>
        (
          await h.events("type = 'call.ringing' AND data->>'extension' = '900' AND sequence > $1::bigint", [
            since,
          ])
        ).length,
      20_000,
      'ringing at the route point',
    );
    // Let the GETs of the Upserts (each one sent twice here) finish.
    let gets = -1;
    while (gets !== h.sim.state().participantGets) {
      gets = h.sim.state().participantGets;
      await new Promise((r) => setTimeout(r, 100));
    }
    const { keypadFramesSent, upsertsRepeated } = h.sim.state();
    await h.sim.faults.set({ keypad: { digits: '123#', promptFinished: true } });
    // 4 digits + 1 prompt for 900's leg only, none for 101's (also visible to the worker).
    expect(h.sim.state().keypadFramesSent - keypadFramesSent).toBe(5);
    // Then one Upsert on the same socket: its GET means the keypad frames were handled before it.
    await h.sim.faults.set({ repeatUpserts: 1 });
    expect(h.sim.state().upsertsRepeated - upsertsRepeated).toBe(1);
    await until(() => h.sim.state().participantGets > gets, 20_000, 'the GET for the Upsert');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.sim.state().participantGets - gets).toBe(1);
    expect(cc.skipped).toEqual(skipped);
    await adminCc(h, admin, `/callcontrol/101/participants/${made.result.id}/drop`, {});
    const callid = made.result.callid as number;
    await until(async () => (await ofType(h, 'call.ended', callid)).length, 20_000, 'call.ended');
    expect(await ofType(h, 'call.ringing', callid)).toHaveLength(1);
    expect(h.worker!.status.get('callcontrol')?.status).toBe('up');
  });

  it('a PBX restart mid-call (socket dropped, every token invalid) ends the call and reconnects', async () => {
    const since = (await h.events()).at(-1)?.sequence ?? '0';
    const run = h.sim.runScenario('ringing-at-connect');
    const callid = await until(
      async () =>
        (
          await h.events("type = 'call.ringing' AND data->>'extension' = '100' AND sequence > $1::bigint", [
            since,
          ])
        ).at(-1)?.call_id,
      20_000,
      'ringing',
    );
    const fetches = h.worker!.sources.tokens!.fetchCount;
    await h.sim.restart();
    expect((await run).aborted).toBe(true);
    const ended = await until(
      async () => (await h.events("type = 'call.ended' AND call_id = $1", [callid]))[0],
      20_000,
      'call.ended after restart',
    );
    expect(ended.data.outcome).toBe('missed');
    // The old token died with the PBX: the socket comes back only with a new one.
    await until(
      () => h.worker!.sources.tokens!.fetchCount > fetches && h.sim.state().wsConnections === 1,
      20_000,
      'reconnected',
    );
    await until(
      () => h.worker!.status.get('callcontrol')?.status === 'up',
      20_000,
      'callcontrol up after restart',
    );
    expect(await h.events("type = 'call.ended' AND call_id = $1", [callid])).toHaveLength(1);
  });
});

describe('Call Control: the worker slower than the call', () => {
  let h: Harness;
  beforeAll(async () => {
    // No reader gate and no periodic reconcile: the participant GETs really come back after the
    // call is over, and no snapshot sees the call meanwhile.
    h = await startHarness('ccq404', { seed: 3, waitForReaders: false });
    await h.startWorker({ CALLCONTROL_RECONCILE_INTERVAL_MS: '600000' });
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
  });
  afterAll(async () => h?.stop());

  it('a GET after Remove answering 404 is harmless: no event, no error, the next call is reported', async () => {
    // Participant GETs (1.5 s) are slower than the call (0.6 s): every one comes back 404.
    await h.sim.faults.set({ delayMs: 1500, delayPathPrefix: '/callcontrol/103/participants' });
    const s = await h.sim.runScenario('inbound-missed');
    await until(() => h.sim.state().participantGets > 0, 20_000, 'the delayed GETs asked');
    await h.worker!.sources.callControl!.idle(); // every delayed GET answered and handled
    await h.sim.faults.clear();
    expect(await h.events('call_id = $1', [String(s.callid)])).toEqual([]);
    expect(h.worker!.status.get('callcontrol')?.status).toBe('up');
    const errors = await h.db
      .db()
      .errorLog.findMany({ where: { component: 'callcontrol', severity: { in: ['error', 'critical'] } } });
    expect(errors).toEqual([]);
    const next = await h.sim.runScenario('internal');
    await until(async () => (await ofType(h, 'call.ended', next.callid!)).length, 20_000, 'next call.ended');
  });
});
