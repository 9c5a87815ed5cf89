import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Participant, Simulator } from '../src/index.js';
import { PARTICIPANT_FIELDS } from '../src/index.js';
import { api, connectWs, getToken, startTestSim, until } from './helpers.js';

let sim: Simulator;
let owner: string;
beforeAll(async () => {
  sim = await startTestSim('cc', { timeScale: 0.02 });
  owner = await getToken(sim);
});
afterAll(() => sim?.stop());

const participants = async (dn: string): Promise<Participant[]> =>
  (await api(sim, owner, `/callcontrol/${dn}/participants`)).body;

describe('Call Control REST', () => {
  it('GET /callcontrol lists the route point and the monitored extensions only, with their types', async () => {
    const res = await api(sim, owner, '/callcontrol');
    expect(res.status).toBe(200);
    expect(res.body.map((d: any) => [d.dn, d.type])).toEqual([
      ['900', 'Wroutepoint'],
      ['100', 'Wextension'],
      ['101', 'Wextension'],
      ['102', 'Wextension'],
      ['103', 'Wextension'],
      ['104', 'Wextension'],
      ['046', 'Wextension'],
    ]);
    for (const d of res.body) expect(Object.keys(d)).toEqual(['dn', 'type', 'devices', 'participants']);
  });

  it('GET /callcontrol/{dn} and devices; an unmonitored DN is 403, an unknown one 404', async () => {
    const dn = await api(sim, owner, '/callcontrol/101');
    expect(dn.body.dn).toBe('101');
    const devices = (await api(sim, owner, '/callcontrol/101/devices')).body;
    expect(devices).toHaveLength(1);
    expect(Object.keys(devices[0])).toEqual(['dn', 'device_id', 'user_agent']);
    const one = await api(sim, owner, `/callcontrol/101/devices/${encodeURIComponent(devices[0].device_id)}`);
    expect(one.body).toEqual(devices[0]);
    expect((await api(sim, owner, '/callcontrol/105')).status).toBe(403);
    expect((await api(sim, owner, '/callcontrol/555')).status).toBe(404);
    expect((await fetch(`${sim.baseUrl}/callcontrol`)).status).toBe(401);
  });

  it('quirk: party_did is empty on inbound trunk calls (party_dn is the trunk DN)', async () => {
    const flow = sim.runScenario('ringing-at-connect');
    const [p] = await until(async () => {
      const ps = await participants('100');
      return ps.length ? ps : null;
    });
    expect(p?.party_did).toBe('');
    expect(p?.party_dn).toBe('10007');
    expect(p?.party_dn_type).toBe('Wexternalline');
    expect(p?.originated_by_dn).toBe('ROUTER');
    await api(sim, owner, `/callcontrol/100/participants/${p?.id}/drop`, { method: 'POST', body: '{}' });
    await flow;
  });

  it("POST makecall from the route point; results say reason NotSpecified; answering an extension's leg is 422; drop ends it", async () => {
    const made = await api(sim, owner, '/callcontrol/900/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '102' }),
    });
    expect(made.body).toMatchObject({
      finalstatus: 'Success',
      reason: 'NotSpecified',
      reasontext: 'Dialing',
    });
    expect(made.body.result.dn).toBe('900');
    expect(made.body.result.direct_control).toBe(true);
    const [ringing] = await until(async () => {
      const ps = await participants('102');
      return ps.length ? ps : null;
    });
    const refused = await api(sim, owner, `/callcontrol/102/participants/${ringing?.id}/answer`, {
      method: 'POST',
      body: '{}',
    });
    expect(refused.status).toBe(422);
    await until(async () => (await participants('102'))[0]?.status === 'Connected'); // the phone answers
    const dropped = await api(sim, owner, `/callcontrol/102/participants/${ringing?.id}/drop`, {
      method: 'POST',
      body: '{}',
    });
    expect(dropped.body).toMatchObject({
      finalstatus: 'Success',
      reason: 'NotSpecified',
      result: { id: ringing?.id },
    });
    await until(
      async () => (await participants('102')).length === 0 && (await participants('900')).length === 0,
    );
  });

  it("a route point's ringing leg is answered through the API (direct control)", async () => {
    await api(sim, owner, '/callcontrol/100/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '900' }),
    });
    const [rp] = await until(async () => {
      const ps = (await participants('900')).filter((p) => p.status === 'Ringing');
      return ps.length ? ps : null;
    });
    expect(rp?.direct_control).toBe(true);
    const answered = await api(sim, owner, `/callcontrol/900/participants/${rp?.id}/answer`, {
      method: 'POST',
      body: '{}',
    });
    expect(answered.status).toBe(200);
    expect(answered.body.finalstatus).toBe('Success');
    await until(async () => (await participants('900'))[0]?.status === 'Connected');
    await api(sim, owner, `/callcontrol/900/participants/${rp?.id}/drop`, { method: 'POST', body: '{}' });
    await until(
      async () => (await participants('900')).length === 0 && (await participants('100')).length === 0,
    );
  });

  it('quirk: participant actions need Content-Type application/json and a body ({}): 415 without, 400 when empty', async () => {
    const made = await api(sim, owner, '/callcontrol/900/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '0123456789' }),
    });
    const drop = `${sim.baseUrl}/callcontrol/900/participants/${made.body.result.id}/drop`;
    const bare = await fetch(drop, { method: 'POST', headers: { authorization: `Bearer ${owner}` } });
    expect(bare.status).toBe(415);
    const empty = await api(sim, owner, `/callcontrol/900/participants/${made.body.result.id}/drop`, {
      method: 'POST',
    });
    expect(empty.status).toBe(400);
    expect((await participants('900')).length).toBe(1);
    const ok = await api(sim, owner, `/callcontrol/900/participants/${made.body.result.id}/drop`, {
      method: 'POST',
      body: '{}',
    });
    expect(ok.body.finalstatus).toBe('Success');
    await until(async () => (await participants('900')).length === 0);
  });

  it('quirk: a makecall leg starts unrouted (party_dn "", party_dn_type None), then dials over the trunk', async () => {
    const device = (await api(sim, owner, '/callcontrol/100/devices')).body[0].device_id;
    const made = await api(sim, owner, `/callcontrol/100/devices/${encodeURIComponent(device)}/makecall`, {
      method: 'POST',
      body: JSON.stringify({ destination: '0123456789' }),
    });
    expect(made.body.result).toMatchObject({
      status: 'Dialing',
      party_dn: '',
      party_dn_type: 'None',
      party_caller_id: '0123456789',
      device_id: device,
    });
    const routed = await until(async () => (await participants('100')).find((p) => p.party_dn !== ''));
    expect(routed).toMatchObject({
      id: made.body.result.id,
      status: 'Dialing',
      party_dn: '10007',
      party_dn_type: 'Wexternalline',
    });
    await api(sim, owner, `/callcontrol/100/participants/${made.body.result.id}/drop`, {
      method: 'POST',
      body: '{}',
    });
    await until(async () => (await participants('100')).length === 0);
  });

  it('quirk: a makecall leg starts unrouted (party_dn "", party_dn_type None), then dials over the trunk', async () => {
    const device = (await api(sim, owner, '/callcontrol/100/devices')).body[0].device_id;
    const made = await api(sim, owner, `/callcontrol/100/devices/${encodeURIComponent(device)}/makecall`, {
      method: 'POST',
      body: JSON.stringify({ destination: '0123456789' }),
    });
    expect(made.body.result).toMatchObject({
      status: 'Dialing',
      party_dn: '',
      party_dn_type: 'None',
      party_caller_id: '0123456789',
      device_id: device,
    });
    const routed = await until(async () => (await participants('100')).find((p) => p.party_dn !== ''));
    expect(routed).toMatchObject({
      id: made.body.result.id,
      status: 'Dialing',
      party_dn: '10007',
      party_dn_type: 'Wexternalline',
    });
    await api(sim, owner, `/callcontrol/100/participants/${made.body.result.id}/drop`, {
      method: 'POST',
      body: '{}',
    });
    await until(async () => (await participants('100')).length === 0);
  });

  it('divert moves a ringing call; transferto blind-transfers a connected one (referred_by_dn set)', async () => {
    const made = await api(sim, owner, '/callcontrol/900/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '101' }),
    });
    expect(made.body.finalstatus).toBe('Success');
    const [r101] = await until(async () => {
      const ps = await participants('101');
      return ps.length ? ps : null;
    });
    const bad = await api(sim, owner, `/callcontrol/101/participants/${r101?.id}/transferto`, {
      method: 'POST',
      body: JSON.stringify({ destination: '102' }),
    });
    expect(bad.body.finalstatus).toBe('Failed');
    await api(sim, owner, `/callcontrol/101/participants/${r101?.id}/divert`, {
      method: 'POST',
      body: JSON.stringify({ destination: '103' }),
    });
    const [r103] = await until(async () => {
      const ps = await participants('103');
      return ps.length ? ps : null;
    });
    await until(async () => (await participants('103'))[0]?.status === 'Connected'); // the phone answers
    await api(sim, owner, `/callcontrol/103/participants/${r103?.id}/transferto`, {
      method: 'POST',
      body: JSON.stringify({ Destination: '104' }),
    });
    const [r104] = await until(async () => {
      const ps = await participants('104');
      return ps.length ? ps : null;
    });
    expect(r104?.referred_by_dn).toBe('103');
    expect(r104?.referred_by_type).toBe('Wextension');
    await api(sim, owner, `/callcontrol/104/participants/${r104?.id}/drop`, { method: 'POST', body: '{}' });
    await until(
      async () => (await participants('900')).length === 0 && (await participants('104')).length === 0,
    );
  });

  it('quirk: GET of a participant answers 404 once it is gone', async () => {
    const made = await api(sim, owner, '/callcontrol/900/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '101' }),
    });
    const id = made.body.result.id;
    expect((await api(sim, owner, `/callcontrol/900/participants/${id}`)).status).toBe(200);
    await api(sim, owner, `/callcontrol/900/participants/${id}/drop`, { method: 'POST', body: '{}' });
    await until(async () => (await api(sim, owner, `/callcontrol/900/participants/${id}`)).status === 404);
    expect(
      (await api(sim, owner, `/callcontrol/900/participants/${id}/answer`, { method: 'POST', body: '{}' }))
        .status,
    ).toBe(404);
  });
});

describe('Call Control with the IVR and the queue monitored (monitorQueueIvr)', () => {
  it("quirk: the caller's leg shows Connected at IVR 600, then at queue 800 while the agents ring; it goes when an agent answers", async () => {
    // A slower clock: the agents ring for 0.4 s here while the queue still holds the caller.
    const q = await startTestSim('ccq', { timeScale: 0.1, monitorQueueIvr: true, seed: 2 });
    try {
      const token = await getToken(q);
      const dns = (await api(q, token, '/callcontrol')).body.map((d: any) => [d.dn, d.type]);
      expect(dns).toEqual(
        expect.arrayContaining([
          ['600', 'Wivr'],
          ['800', 'Wqueue'],
        ]),
      );
      const of = async (dn: string): Promise<Participant[]> =>
        (await api(q, token, `/callcontrol/${dn}/participants`)).body;
      const flow = q.runScenario('inbound-queue-answered');
      const ivr = await until(async () => (await of('600'))[0]);
      expect(ivr).toMatchObject({ status: 'Connected', party_dn: '10007', party_dn_type: 'Wexternalline' });
      // Agents ring while the queue still holds the caller, all under one callid.
      const both = await until(async () => {
        const [queue] = await of('800');
        const agents = [...(await of('101')), ...(await of('102'))];
        return queue && agents.length === 2 ? { queue, agents } : null;
      });
      expect(await of('600')).toEqual([]);
      expect(both.queue).toMatchObject({ status: 'Connected', callid: ivr.callid });
      expect(both.queue.id).not.toBe(ivr.id);
      expect(both.agents.every((a) => a.status === 'Ringing' && a.callid === ivr.callid)).toBe(true);
      const answered = await until(async () => {
        const agents = [...(await of('101')), ...(await of('102'))];
        return agents.find((a) => a.status === 'Connected');
      });
      expect(await of('800')).toEqual([]);
      expect(answered.callid).toBe(ivr.callid);
      void flow.catch(() => undefined); // the talk is cut short by stop()
    } finally {
      await q.stop();
    }
  });
});

describe('Call Control knobs: participantGetForbidden, unregisteredExtensions, newTokenClosesSockets', () => {
  let k: Simulator;
  let token: string;
  beforeAll(async () => {
    k = await startTestSim('cck', {
      timeScale: 0.02,
      participantGetForbidden: true,
      unregisteredExtensions: ['103'],
      newTokenClosesSockets: true,
    });
    token = await getToken(k);
  });
  afterAll(() => k?.stop());

  it("quirk: a participant GET answers 403 for a leg the DN cannot control; the list still answers; a route point's own leg is readable", async () => {
    const flow = k.runScenario('inbound-missed'); // 103 rings
    const [leg] = await until(async () => {
      const ps = (await api(k, token, '/callcontrol/103/participants')).body;
      return ps.length ? ps : null;
    });
    expect((await api(k, token, `/callcontrol/103/participants/${leg.id}`)).status).toBe(403);
    const made = await api(k, token, '/callcontrol/900/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '0123456789' }),
    });
    expect((await api(k, token, `/callcontrol/900/participants/${made.body.result.id}`)).status).toBe(200);
    await api(k, token, `/callcontrol/900/participants/${made.body.result.id}/drop`, {
      method: 'POST',
      body: '{}',
    });
    await flow;
  });

  it('quirk: an extension with no registered phone has no devices and its legs carry no device_id', async () => {
    expect((await api(k, token, '/callcontrol/103/devices')).body).toEqual([]);
    const flow = k.runScenario('inbound-missed');
    const [leg] = await until(async () => {
      const ps = (await api(k, token, '/callcontrol/103/participants')).body;
      return ps.length ? ps : null;
    });
    expect(leg).not.toHaveProperty('device_id');
    expect(Object.keys(leg)).toEqual(PARTICIPANT_FIELDS.filter((f) => f !== 'device_id'));
    await flow;
  });

  it('quirk: a new token closes the WebSockets opened with the previous one (1008); a socket on the new token stays', async () => {
    const old = await connectWs(k, token);
    const closed = new Promise<number>((resolve) => old.ws.once('close', (code) => resolve(code)));
    token = await getToken(k);
    expect(await closed).toBe(1008);
    const fresh = await connectWs(k, token);
    await new Promise((r) => setTimeout(r, 100));
    expect(fresh.ws.readyState).toBe(fresh.ws.OPEN);
    fresh.close();
  });
});

// Flows driven through the API on a slower clock (a 4 s ring lasts 0.8 s here), so a busy
// machine cannot let a phone answer before the test acts.
describe('Call Control on a slower clock', () => {
  let slow: Simulator;
  let token: string;
  beforeAll(async () => {
    slow = await startTestSim('ccslow', { timeScale: 0.2 });
    token = await getToken(slow);
  });
  afterAll(() => slow?.stop());
  const of = async (dn: string): Promise<Participant[]> =>
    (await api(slow, token, `/callcontrol/${dn}/participants`)).body;

  it("quirk: a makecall the callee declines goes to its voicemail: the caller's leg shows special menu 666 (Wspecialmenu), then Connected", async () => {
    const made = await api(slow, token, '/callcontrol/100/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '101' }),
    });
    expect(made.body.result).toMatchObject({ party_dn: '', party_dn_type: 'None' });
    const [ringing] = await until(async () => {
      const ps = await of('101');
      return ps.length ? ps : null;
    });
    await api(slow, token, `/callcontrol/101/participants/${ringing!.id}/drop`, {
      method: 'POST',
      body: '{}',
    });
    const menu = await until(async () =>
      (await of('100')).find((p) => p.party_dn_type === 'Wspecialmenu' && p.status === 'Connected'),
    );
    expect(menu).toMatchObject({ id: made.body.result.id, party_dn: '666', party_caller_id: '101' });
    await api(slow, token, `/callcontrol/100/participants/${menu.id}/drop`, { method: 'POST', body: '{}' });
    await until(async () => (await of('100')).length === 0);
  });

  it('ring group fan-out: one participant per ringing extension, same callid, distinct id and legid, all 18 fields', async () => {
    const flow = slow.runScenario('ring-group-fanout');
    const ringing = await until(async () => {
      const ps = [...(await of('103')), ...(await of('104'))];
      return ps.length === 2 ? ps : null;
    });
    for (const p of ringing) expect(Object.keys(p)).toEqual([...PARTICIPANT_FIELDS]);
    expect(new Set(ringing.map((p) => p.callid)).size).toBe(1);
    expect(new Set(ringing.map((p) => p.id)).size).toBe(2);
    expect(new Set(ringing.map((p) => p.legid)).size).toBe(2);
    expect(ringing.every((p) => p.status === 'Ringing' && p.on_behalf_of_dn === '700')).toBe(true);
    void flow.catch(() => undefined); // ends after the test, or is cut short by stop()
  });

  it("quirk: an attended transfer moves the target's participant (same id) to the caller's callid; the consultation call ends", async () => {
    const flow = slow.runScenario('attended-transfer');
    const consulted = await until(async () => {
      const [p102] = await of('102');
      const legs101 = await of('101');
      return p102 && legs101.length === 2 ? { p102, legs101 } : null;
    }, 10_000);
    const callerCall = consulted.legs101.find((l) => l.callid !== consulted.p102.callid)!.callid;
    const moved = await until(async () => (await of('102')).find((p) => p.callid === callerCall));
    expect(moved).toMatchObject({
      id: consulted.p102.id,
      status: 'Connected',
      party_dn: '10007',
      party_dn_type: 'Wexternalline',
      referred_by_dn: '101',
    });
    await until(async () => (await of('101')).length === 0);
    const live = slow.state().activeCalls.map((c) => c.Id);
    expect(live).toContain(callerCall);
    expect(live).not.toContain(consulted.p102.callid);
    expect((await flow).callid).toBe(callerCall);
  }, 15_000);
});
