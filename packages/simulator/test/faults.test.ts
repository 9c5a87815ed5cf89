import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { api, connectWs, getToken, startTestSim, until } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSim('faults');
});
afterEach(() => sim.faults.clear());
afterAll(() => sim?.stop());

const control = (p: string, method = 'POST', body?: unknown) =>
  fetch(`${sim.baseUrl}/__sim/${p}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) }).then(
    async (r) => ({ status: r.status, body: (await r.json()) as any }),
  );

describe('faults', () => {
  it('drops all WebSockets and refuses new ones while refuseWebSockets is on', async () => {
    const token = await getToken(sim);
    const ws = await connectWs(sim, token);
    const closed = new Promise((r) => ws.ws.once('close', r));
    await control('faults', 'POST', { dropWebSockets: true, refuseWebSockets: true });
    await closed;
    await expect(connectWs(sim, token)).rejects.toThrow('HTTP 503');
    await control('faults', 'DELETE');
    (await connectWs(sim, token)).close();
  });

  it('answers 500 (ODataError) or 503 per path prefix and delays responses', async () => {
    const token = await getToken(sim);
    await sim.faults.set({
      httpErrors: [
        { pathPrefix: '/xapi/v1/ActiveCalls', status: 500 },
        { pathPrefix: '/callcontrol', status: 503 },
      ],
    });
    const a = await api(sim, token, '/xapi/v1/ActiveCalls');
    expect(a.status).toBe(500);
    expect(a.body.error.code).toBeTypeOf('string');
    expect((await api(sim, token, '/callcontrol')).status).toBe(503);
    expect((await api(sim, token, '/xapi/v1/Defs?$select=Id')).status).toBe(200);
    await sim.faults.set({ httpErrors: [], delayMs: 150, delayPathPrefix: '/xapi' });
    const t0 = Date.now();
    expect((await api(sim, token, '/xapi/v1/Defs?$select=Id')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('revokes and expires tokens: the next request is 401', async () => {
    const token = await getToken(sim);
    await sim.faults.set({ revokeTokens: sim.clients.owner.clientId });
    expect((await api(sim, token, '/xapi/v1/Defs?$select=Id')).status).toBe(401);
    const again = await getToken(sim);
    await control('faults', 'POST', { expireTokens: true });
    expect((await api(sim, again, '/xapi/v1/Defs?$select=Id')).status).toBe(401);
  });

  it('skips, duplicates and breaks frames', async () => {
    const ws = await connectWs(sim, await getToken(sim));
    await sim.faults.set({ skipFrameProbability: 1 });
    await sim.runScenario('internal');
    expect(ws.frames).toHaveLength(0);
    await sim.faults.set({ skipFrameProbability: 0, duplicateFrameProbability: 1 });
    await sim.runScenario('internal');
    await until(() => ws.frames.length >= 4);
    expect(ws.frames[1]?.event).toEqual(ws.frames[0]?.event);
    const before = ws.raw.length;
    for (const kind of ['non-json', 'wrong-shape', 'oversized'] as const)
      await sim.faults.set({ malformedFrame: kind });
    await until(() => ws.raw.length >= before + 3);
    const [nonJson, wrong, big] = ws.raw.slice(before);
    expect(() => JSON.parse(nonJson ?? '')).toThrow();
    expect(JSON.parse(wrong ?? '{}').event.event_type).toBe(9);
    expect(big?.length).toBeGreaterThan(1024 * 1024);
    ws.close();
  });

  it('licence: PRO or expired refuses XAPI and Call Control with 403 and a licence message, after authentication; SystemStatus shows it', async () => {
    const token = await getToken(sim);
    const status = async () => (await api(sim, token, '/xapi/v1/SystemStatus')).body;
    expect(await status()).toMatchObject({ LicenseActive: true, ProductCode: '3CXPSENT' });
    await control('faults', 'POST', { licence: 'pro' });
    const refused = await api(sim, token, '/xapi/v1/ActiveCalls');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/Enterprise license/);
    expect((await api(sim, token, '/callcontrol')).status).toBe(403);
    await expect(connectWs(sim, token)).rejects.toThrow('HTTP 403');
    expect((await api(sim, 'not-a-token', '/xapi/v1/ActiveCalls')).status).toBe(401);
    expect(await status()).toMatchObject({ LicenseActive: true, ProductCode: '3CXPSPROFSPLA' });
    // The licence parameters stay readable on PRO (20.0.8 mode: no IsEnterprise/IsProfessional).
    const params = await api(sim, token, '/xapi/v1/Defs/Pbx.GetLicenseParameters()');
    expect(params.status).toBe(200);
    expect(params.body).toMatchObject({
      ProductCode: '3CXPSPROFSPLA',
      MaxSimCalls: 16,
      IsMaintainceExpired: false,
    });
    expect(params.body).not.toHaveProperty('IsProfessional');
    const fresh = await getToken(sim); // the token endpoint still answers (and ends `token`: one per client)
    await sim.faults.set({ licence: 'expired' });
    expect((await api(sim, fresh, '/callcontrol')).body.error.message).toMatch(/expired/);
    expect(await api(sim, fresh, '/xapi/v1/SystemStatus')).toMatchObject({
      status: 200,
      body: { LicenseActive: false },
    });
    await sim.faults.set({ licence: 'enterprise' });
    expect((await api(sim, fresh, '/xapi/v1/ActiveCalls')).status).toBe(200);
    (await connectWs(sim, fresh)).close();
  });

  it('licenceRefusal bare: the 403 of a PRO system has an empty body; a token shows the licence in its role claims', async () => {
    await sim.faults.set({ licence: 'pro', licenceRefusal: 'bare' });
    const token = await getToken(sim);
    const refused = await api(sim, token, '/xapi/v1/ActiveCalls');
    expect(refused).toMatchObject({ status: 403, text: '' });
    await expect(connectWs(sim, token)).rejects.toThrow('HTTP 403');
    const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims(token)).toMatchObject({ MaxRole: 'system_owners', role: expect.arrayContaining(['Paid']) });
    expect(claims(token).role).not.toContain('Enterprise');
    await sim.faults.set({ licence: 'enterprise' });
    expect(claims(await getToken(sim)).role).toEqual(expect.arrayContaining(['Paid', 'Enterprise']));
    expect(claims(await getToken(sim, 'admin')).MaxRole).toBe('system_admins');
  });

  it('consoleRestricted: /connect/token answers 403 access_denied naming the console restrictions', async () => {
    await sim.faults.set({ consoleRestricted: true });
    const c = sim.clients.owner;
    const res = await fetch(`${sim.baseUrl}/connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        grant_type: 'client_credentials',
      }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: 'access_denied',
      error_description: expect.stringMatching(/console restrictions/),
    });
  });

  it('stops the database: readers are cut off, CDRs wait in a backlog and are written when it is back', async () => {
    await sim.faults.set({ dbDown: true });
    const reader = new pg.Client({ connectionString: sim.readonlyDbUrl });
    await expect(reader.connect()).rejects.toThrow(/not currently accepting connections/);
    const s = await sim.runScenario('internal');
    expect(s.cdrsWritten).toBe(false);
    expect(sim.state().pendingCdrWrites).toBe(1);
    await sim.faults.set({ dbDown: false });
    expect(sim.state().pendingCdrWrites).toBe(0);
    const ok = new pg.Client({ connectionString: sim.readonlyDbUrl });
    await ok.connect();
    const { rowCount } = await ok.query('SELECT 1 FROM cdroutput WHERE call_history_id = $1', [
      s.callHistoryId,
    ]);
    await ok.end();
    expect(rowCount).toBe(1);
  });

  it('stalls the database: cdroutput queries wait (a reader with a statement timeout gives up), calls finishing meanwhile are written when it ends', async () => {
    await sim.faults.set({ dbStall: true });
    const reader = new pg.Client({ connectionString: sim.readonlyDbUrl, statement_timeout: 300 });
    await reader.connect();
    await expect(reader.query('SELECT count(*) FROM cdroutput')).rejects.toThrow(/statement timeout/);
    const finished = sim.runScenario('internal');
    let done = false;
    void finished.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(done).toBe(false); // its CDR insert waits on the lock
    await sim.faults.set({ dbStall: false });
    const s = await finished;
    expect(s.cdrsWritten).toBe(true);
    const { rowCount } = await reader.query('SELECT 1 FROM cdroutput WHERE call_history_id = $1', [
      s.callHistoryId,
    ]);
    await reader.end();
    expect(rowCount).toBe(1);
  });

  it('restarts the PBX: WebSockets dropped, tokens invalid, live calls gone, CDR counter reset', async () => {
    const token = await getToken(sim);
    const ws = await connectWs(sim, token);
    const closed = new Promise((r) => ws.ws.once('close', r));
    const running = sim.runScenario('ringing-at-connect');
    await until(() => sim.state().activeCalls.length === 1);
    const res = await control('restart');
    expect(res.body).toEqual({ restarted: true });
    await closed;
    expect((await running).aborted).toBe(true);
    expect(sim.state().activeCalls).toEqual([]);
    expect(sim.state().cdrCounter).toBe(0);
    expect((await api(sim, token, '/xapi/v1/Defs?$select=Id')).status).toBe(401);
  });

  it('control API: state, scenario list and run a scenario over HTTP', async () => {
    expect((await control('scenarios', 'GET')).body).toContain('inbound-queue-answered');
    const run = await control('scenarios/internal');
    expect(run.body).toMatchObject({ scenario: 'internal', outcome: 'answered', cdrsWritten: true });
    const state = await control('state', 'GET');
    expect(state.body.finishedCalls).toBeGreaterThan(0);
    expect((await control('scenarios/nope')).status).toBe(404);
  });
});

// Frames for live calls: a slower clock, so the calls outlive the checks on a busy machine
// (a 30 s call lasts 3 s here).
describe('faults on live calls', () => {
  let live: Simulator;
  beforeAll(async () => {
    live = await startTestSim('faultslive', { timeScale: 0.1 });
  });
  afterAll(() => live?.stop());
  const liveControl = (p: string, method = 'POST', body?: unknown) =>
    fetch(`${live.baseUrl}/__sim/${p}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as any }),
    );

  it('floods repeated Upserts of live participants on request (each one a GET for the client)', async () => {
    const token = await getToken(live);
    expect(live.state().upsertsRepeated).toBe(0);
    const finishedBefore = live.state().finishedCalls;
    await live.faults.set({ repeatUpserts: 10 }); // nobody connected, no live call: nothing to send
    expect(live.state().upsertsRepeated).toBe(0);
    const made = await api(live, token, '/callcontrol/900/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '102' }),
    });
    expect(made.body.finalstatus).toBe('Success');
    const ringing = await until(
      async () => (await api(live, token, '/callcontrol/102/participants')).body[0],
      10_000,
    );
    await until(
      async () => (await api(live, token, '/callcontrol/102/participants')).body[0]?.status === 'Connected',
      10_000,
    );
    const parts = live.state().participants;
    const entities = Object.entries(parts).flatMap(([dn, ps]) =>
      ps.map((p) => `/callcontrol/${dn}/participants/${(p as { id: number }).id}`),
    );
    expect(entities.length).toBeGreaterThanOrEqual(2);
    const ws = await connectWs(live, token);
    await liveControl('faults', 'POST', { repeatUpserts: 25 });
    await until(() => ws.frames.length >= 25, 10_000);
    expect(live.state().upsertsRepeated).toBe(25);
    const sent = ws.frames.slice(0, 25).map((f) => f.event);
    expect(sent.every((e) => e.event_type === 0 && e.attached_data === null)).toBe(true);
    expect(new Set(sent.map((e) => e.entity))).toEqual(new Set(entities));
    expect(ws.frames.map((f) => f.sequence).slice(0, 25)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    ws.close();
    await api(live, token, `/callcontrol/102/participants/${ringing.id}/drop`, {
      method: 'POST',
      body: '{}',
    });
    await until(
      async () => (await api(live, token, '/callcontrol/102/participants')).body.length === 0,
      10_000,
    );
    // Its CDRs must be written before the next test stops the database.
    await until(
      () => live.state().finishedCalls > finishedBefore && live.state().pendingCdrWrites === 0,
      10_000,
    );
  });

  it("sends DTMFstring (one per digit, dtmf_input) and PromptPlaybackFinished frames for the route point's own calls only; counts participant GETs", async () => {
    const token = await getToken(live);
    const finishedBefore = live.state().finishedCalls;
    // The route point's own call (to an outside number) and an extension's call at the same time.
    const made = await api(live, token, '/callcontrol/900/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '0123456789' }),
    });
    expect(made.body.finalstatus).toBe('Success');
    await api(live, token, '/callcontrol/100/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '0987654321' }),
    });
    await until(
      async () => (await api(live, token, '/callcontrol/100/participants')).body.length === 1,
      10_000,
    );
    const own = `/callcontrol/900/participants/${made.body.result.id}`;
    const getsBefore = live.state().participantGets;
    expect((await api(live, token, own)).status).toBe(200);
    await api(live, token, '/callcontrol/900/participants'); // the list is not a participant GET
    expect(live.state().participantGets).toBe(getsBefore + 1);
    const ws = await connectWs(live, token);
    const sentBefore = live.state().keypadFramesSent;
    // Letters outside the keypad are dropped; the rest arrive in order.
    await liveControl('faults', 'POST', { keypad: { digits: '1x#', promptFinished: true } });
    expect(live.state().keypadFramesSent - sentBefore).toBe(3); // one participant: the route point's
    await until(() => ws.frames.filter((f) => f.event.event_type >= 2).length >= 3, 10_000);
    const keypad = ws.frames.map((f) => f.event).filter((e) => e.event_type >= 2);
    expect(keypad).toEqual([
      { event_type: 2, entity: own, attached_data: { dtmf_input: '1' } },
      { event_type: 2, entity: own, attached_data: { dtmf_input: '#' } },
      { event_type: 3, entity: own, attached_data: null },
    ]);
    ws.close();
    for (const dn of ['900', '100'])
      for (const p of (await api(live, token, `/callcontrol/${dn}/participants`)).body)
        await api(live, token, `/callcontrol/${dn}/participants/${p.id}/drop`, {
          method: 'POST',
          body: '{}',
        });
    await until(
      async () => (await api(live, token, '/callcontrol/100/participants')).body.length === 0,
      10_000,
    );
    await until(
      () => live.state().finishedCalls >= finishedBefore + 2 && live.state().pendingCdrWrites === 0,
      10_000,
    );
  });
});
