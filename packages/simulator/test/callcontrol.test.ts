import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Participant, Simulator } from '../src/index.js';
import { PARTICIPANT_FIELDS } from '../src/index.js';
import { api, getToken, startTestSim, until } from './helpers.js';

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

  it('ring group fan-out: one participant per ringing extension, same callid, distinct id and legid, all 18 fields', async () => {
    const flow = sim.runScenario('ring-group-fanout');
    const ringing = await until(async () => {
      const ps = [...(await participants('103')), ...(await participants('104'))];
      return ps.length === 2 ? ps : null;
    });
    for (const p of ringing) expect(Object.keys(p)).toEqual([...PARTICIPANT_FIELDS]);
    expect(new Set(ringing.map((p) => p.callid)).size).toBe(1);
    expect(new Set(ringing.map((p) => p.id)).size).toBe(2);
    expect(new Set(ringing.map((p) => p.legid)).size).toBe(2);
    expect(ringing.every((p) => p.status === 'Ringing' && p.on_behalf_of_dn === '700')).toBe(true);
    await flow;
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
    await api(sim, owner, `/callcontrol/100/participants/${p?.id}/drop`, { method: 'POST' });
    await flow;
  });

  it('POST makecall from the route point; the callee answers through the API; drop ends it', async () => {
    const made = await api(sim, owner, '/callcontrol/900/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '102' }),
    });
    expect(made.body.finalstatus).toBe('Success');
    expect(made.body.result.dn).toBe('900');
    expect(made.body.result.direct_control).toBe(true);
    const [ringing] = await until(async () => {
      const ps = await participants('102');
      return ps.length ? ps : null;
    });
    const answered = await api(sim, owner, `/callcontrol/102/participants/${ringing?.id}/answer`, {
      method: 'POST',
    });
    expect(answered.body.finalstatus).toBe('Success');
    await until(async () => (await participants('102'))[0]?.status === 'Connected');
    const dropped = await api(sim, owner, `/callcontrol/102/participants/${ringing?.id}/drop`, {
      method: 'POST',
      body: '{}',
    });
    expect(dropped.body).toMatchObject({ finalstatus: 'Success', result: { id: ringing?.id } });
    await until(
      async () => (await participants('102')).length === 0 && (await participants('900')).length === 0,
    );
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
    await api(sim, owner, `/callcontrol/100/participants/${made.body.result.id}/drop`, { method: 'POST' });
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
    await api(sim, owner, `/callcontrol/103/participants/${r103?.id}/answer`, { method: 'POST' });
    await until(async () => (await participants('103'))[0]?.status === 'Connected');
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
    await api(sim, owner, `/callcontrol/104/participants/${r104?.id}/drop`, { method: 'POST' });
    await until(
      async () => (await participants('900')).length === 0 && (await participants('104')).length === 0,
    );
  });

  it("quirk: a makecall the callee declines goes to its voicemail: the caller's leg shows special menu 666 (Wspecialmenu), then Connected", async () => {
    const made = await api(sim, owner, '/callcontrol/100/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '101' }),
    });
    expect(made.body.result).toMatchObject({ party_dn: '', party_dn_type: 'None' });
    const [ringing] = await until(async () => {
      const ps = await participants('101');
      return ps.length ? ps : null;
    });
    await api(sim, owner, `/callcontrol/101/participants/${ringing!.id}/drop`, {
      method: 'POST',
      body: '{}',
    });
    const menu = await until(async () =>
      (await participants('100')).find((p) => p.party_dn_type === 'Wspecialmenu' && p.status === 'Connected'),
    );
    expect(menu).toMatchObject({ id: made.body.result.id, party_dn: '666', party_caller_id: '101' });
    await api(sim, owner, `/callcontrol/100/participants/${menu.id}/drop`, { method: 'POST', body: '{}' });
    await until(async () => (await participants('100')).length === 0);
  });

  it("quirk: an attended transfer moves the target's participant (same id) to the caller's callid; the consultation call ends", async () => {
    const flow = sim.runScenario('attended-transfer');
    const consulted = await until(async () => {
      const [p102] = await participants('102');
      const legs101 = await participants('101');
      return p102 && legs101.length === 2 && p102.status === 'Connected' ? { p102, legs101 } : null;
    });
    const callerCall = consulted.legs101.find((l) => l.callid !== consulted.p102.callid)!.callid;
    const moved = await until(async () => (await participants('102')).find((p) => p.callid === callerCall));
    expect(moved).toMatchObject({
      id: consulted.p102.id,
      status: 'Connected',
      party_dn: '10007',
      party_dn_type: 'Wexternalline',
      referred_by_dn: '101',
    });
    await until(async () => (await participants('101')).length === 0);
    expect(sim.state().activeCalls.map((c) => c.Id)).toEqual([callerCall]);
    expect((await flow).callid).toBe(callerCall);
  });

  it('quirk: GET of a participant answers 404 once it is gone', async () => {
    const made = await api(sim, owner, '/callcontrol/900/makecall', {
      method: 'POST',
      body: JSON.stringify({ destination: '101' }),
    });
    const id = made.body.result.id;
    expect((await api(sim, owner, `/callcontrol/900/participants/${id}`)).status).toBe(200);
    await api(sim, owner, `/callcontrol/900/participants/${id}/drop`, { method: 'POST' });
    await until(async () => (await api(sim, owner, `/callcontrol/900/participants/${id}`)).status === 404);
    expect(
      (await api(sim, owner, `/callcontrol/900/participants/${id}/answer`, { method: 'POST' })).status,
    ).toBe(404);
  });
});

describe('Call Control with the IVR and the queue monitored (monitorQueueIvr)', () => {
  it("quirk: the caller's leg shows Connected at IVR 600, then at queue 800 while the agents ring; it goes when an agent answers", async () => {
    const q = await startTestSim('ccq', { timeScale: 0.02, monitorQueueIvr: true, seed: 2 });
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
      await flow;
    } finally {
      await q.stop();
    }
  });
});
