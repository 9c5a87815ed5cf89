import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { api, getToken, startTestSim, until, xapiValidator } from './helpers.js';

let sim: Simulator;
let owner: string;
const v7 = xapiValidator('20.0.7');
const v10 = xapiValidator('20.0.10');

beforeAll(async () => {
  // 40 extensions: 100–105, 046 and 1000–1032.
  sim = await startTestSim('users', { extensionCount: 40 });
  owner = await getToken(sim, 'owner');
});
afterAll(() => sim?.stop());

const fresh = { profile: 'Available', queueStatus: 'LoggedIn', registered: true };
const control = (path: string, body: unknown) =>
  fetch(`${sim.baseUrl}/__sim/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('XAPI Users and Queues', () => {
  it('GET /xapi/v1/Users - Pbx.User items with CurrentProfileName, QueueStatus, IsRegistered; $select, $count, $top/$skip', async () => {
    const all = await api(sim, owner, '/xapi/v1/Users?$count=true&$top=100');
    expect(all.status).toBe(200);
    expect(all.body['@odata.count']).toBe(40);
    for (const u of all.body.value) {
      expect(v7('Pbx.User', u)).toEqual([]);
      expect(v10('Pbx.User', u)).toEqual([]);
    }
    const ben = all.body.value.find((u: any) => u.Number === '101');
    expect(ben).toMatchObject({ FirstName: 'Ben', LastName: 'Carter', DisplayName: 'Carter, Ben' });
    expect(ben.QueueStatus).toMatch(/^(LoggedIn|LoggedOut)$/);
    const sel = await api(
      sim,
      owner,
      '/xapi/v1/Users?$select=Number,CurrentProfileName,QueueStatus,IsRegistered&$orderby=Number asc&$skip=10&$top=5&$count=true',
    );
    expect(sel.body['@odata.count']).toBe(40);
    expect(sel.body.value).toHaveLength(5);
    expect(Object.keys(sel.body.value[0])).toEqual([
      'Number',
      'CurrentProfileName',
      'QueueStatus',
      'IsRegistered',
    ]);
    expect(sel.body['@odata.context']).toMatch(
      /#Users\(Number,CurrentProfileName,QueueStatus,IsRegistered\)$/,
    );
  });

  it('GET /xapi/v1/Queues?$expand=Agents and Queues({Id})/Agents - Pbx.Queue and Pbx.QueueAgent', async () => {
    const plain = await api(sim, owner, '/xapi/v1/Queues');
    expect(plain.body.value).toHaveLength(1);
    expect(plain.body.value[0]).not.toHaveProperty('Agents');
    expect(v10('Pbx.Queue', plain.body.value[0])).toEqual([]);
    const expanded = await api(sim, owner, '/xapi/v1/Queues?$select=Id,Number,Name&$expand=Agents');
    const q = expanded.body.value[0];
    expect(q).toMatchObject({ Number: '800', Name: 'Support' });
    expect(q.Agents.map((a: any) => a.Number)).toEqual(['101', '102']);
    const agents = await api(sim, owner, `/xapi/v1/Queues(${q.Id})/Agents`);
    for (const a of agents.body.value) expect(v10('Pbx.QueueAgent', a)).toEqual([]);
    expect(agents.body.value.map((a: any) => a.Name)).toEqual(['Carter, Ben', 'Diaz, Clara']);
    expect((await api(sim, owner, '/xapi/v1/Queues(999)/Agents')).status).toBe(404);
    expect((await api(sim, owner, '/xapi/v1/Queues?$expand=Managers')).status).toBe(400);
  });

  it('POST /__sim/users/{n} changes what XAPI shows; a bad profile is a 400 and changes nothing', async () => {
    const res = await control('users/102', { profile: 'Out of office', queueStatus: 'LoggedOut' });
    expect(res.status).toBe(200);
    const u = await api(sim, owner, "/xapi/v1/Users?$filter=Number eq '102'");
    expect(u.body.value[0]).toMatchObject({ CurrentProfileName: 'Out of office', QueueStatus: 'LoggedOut' });
    const bad = await control('users/102', { profile: 'Gone fishing' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/profile must be one of/);
    expect(sim.users.list().find((x) => x.number === '102')?.profile).toBe('Out of office');
    expect((await control('users/999', { registered: false })).status).toBe(400);
    const agents = await control('queues/800/agents', { agents: ['101', '103'] });
    expect(agents.status).toBe(200);
    const q = await api(sim, owner, '/xapi/v1/Queues?$expand=Agents');
    expect(q.body.value[0].Agents.map((a: any) => a.Number)).toEqual(['101', '103']);
    sim.users.setQueueAgents('800', ['101', '102']);
  });

  it('presence changes over time: users change profile, queue login or registration on their own', async () => {
    // A change every simulated 10 s: 50 ms at this time scale.
    const live = await startTestSim('users_sched', { presenceChangeEverySec: 10 });
    try {
      const before = JSON.stringify(live.users.list());
      expect(before).toBe(
        JSON.stringify(
          sim.users
            .list()
            .slice(0, 7)
            .map((u) => ({ ...u, ...fresh })),
        ),
      );
      await until(() => JSON.stringify(live.users.list()) !== before, 10_000);
    } finally {
      await live.stop();
    }
  });
});

describe('request counters', () => {
  it('state().requests counts PBX requests by surface (what the PBX-load benchmark reads)', async () => {
    const before = sim.state().requests;
    await api(sim, owner, '/xapi/v1/Users?$top=1');
    await api(sim, owner, '/xapi/v1/Queues(1)/Agents');
    await api(sim, owner, '/xapi/v1/Users?$top=2');
    const after = sim.state().requests;
    expect((after['xapi:Users'] ?? 0) - (before['xapi:Users'] ?? 0)).toBe(2);
    expect((after['xapi:Queues'] ?? 0) - (before['xapi:Queues'] ?? 0)).toBe(1);
  });
});

describe('scenario speed', () => {
  it('POST /__sim/scenarios/{name} with timeScale runs that call at its own speed; a bad one is a 400', async () => {
    const bad = await control('scenarios/internal', { timeScale: 0 });
    expect(bad.status).toBe(400);
    const started = Date.now();
    // internal: 102 answers after 3 s and talks 10 s (simulated): 260 ms real at 0.02, 65 ms at 0.005.
    const res = await control('scenarios/internal', { timeScale: 0.02 });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
