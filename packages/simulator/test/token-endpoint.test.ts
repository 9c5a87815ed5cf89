import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { api, getToken, startTestSim } from './helpers.js';

let v8: Simulator;
let v9: Simulator;
let v10: Simulator;
beforeAll(async () => {
  [v8, v9, v10] = await Promise.all([
    startTestSim('token8'),
    startTestSim('token9', { version: '20.0.9' }),
    startTestSim('token10', { version: '20.0.10' }),
  ]);
});
afterAll(async () => {
  await Promise.all([v8?.stop(), v9?.stop(), v10?.stop()]);
});

const form = (sim: Simulator, secret?: string) =>
  new URLSearchParams({
    client_id: sim.clients.owner.clientId,
    client_secret: secret ?? sim.clients.owner.clientSecret,
    grant_type: 'client_credentials',
  });

describe('POST /connect/token', () => {
  it('issues a Bearer token for form-urlencoded credentials', async () => {
    const res = await fetch(`${v8.baseUrl}/connect/token`, { method: 'POST', body: form(v8) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body.token_type).toBe('Bearer');
  });

  it('issues a token for multipart/form-data credentials (the official sample sends FormData)', async () => {
    const fd = new FormData();
    for (const [k, v] of form(v8)) fd.append(k, v);
    const res = await fetch(`${v8.baseUrl}/connect/token`, { method: 'POST', body: fd });
    expect(res.status).toBe(200);
  });

  it('quirk: expires_in is 60 (minutes) in 20.0.8 mode and 3600 (seconds) from 20.0.9 mode on, exp +1 h in all', async () => {
    for (const [sim, expected] of [
      [v8, 60],
      [v9, 3600],
      [v10, 3600],
    ] as const) {
      const body = (await (
        await fetch(`${sim.baseUrl}/connect/token`, { method: 'POST', body: form(sim) })
      ).json()) as { expires_in: number; access_token: string };
      expect(body.expires_in).toBe(expected);
      const [head, payload] = body.access_token
        .split('.')
        .slice(0, 2)
        .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
      expect(head.alg).toBe('ES256');
      expect(typeof head.kid).toBe('string');
      expect(payload.exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(3590);
    }
  });

  it('answers 401 invalid_client on a wrong secret', async () => {
    const res = await fetch(`${v8.baseUrl}/connect/token`, { method: 'POST', body: form(v8, 'wrong') });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe('invalid_client');
    expect(typeof body.error_description).toBe('string');
  });

  it('quirk: a new token for a client invalidates its previous token', async () => {
    const first = await getToken(v8);
    expect((await api(v8, first, '/xapi/v1/Defs?$select=Id')).status).toBe(200);
    const second = await getToken(v8);
    expect((await api(v8, first, '/xapi/v1/Defs?$select=Id')).status).toBe(401);
    expect((await api(v8, second, '/xapi/v1/Defs?$select=Id')).status).toBe(200);
  });

  it('tokens of one client do not invalidate those of another', async () => {
    const owner = await getToken(v8, 'owner');
    await getToken(v8, 'admin');
    expect((await api(v8, owner, '/xapi/v1/Defs?$select=Id')).status).toBe(200);
  });
});
