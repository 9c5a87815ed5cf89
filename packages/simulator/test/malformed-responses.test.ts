import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OVERSIZED_RESPONSE_BYTES, type Simulator } from '../src/index.js';
import { api, getToken, startTestSim } from './helpers.js';

let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startTestSim('malformed_resp');
  token = await getToken(sim);
});
afterEach(() => sim.faults.clear());
afterAll(() => sim?.stop());

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('malformedResponses fault', () => {
  it('answers 200 with a truncated JSON document', async () => {
    await sim.faults.set({
      malformedResponses: [{ pathPrefix: '/xapi/v1/ActiveCalls', kind: 'truncated-json' }],
    });
    const r = await api(sim, token, '/xapi/v1/ActiveCalls');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/json/);
    expect(r.text.length).toBeGreaterThan(0);
    expect(parses(r.text)).toBe(false);
    expect((await api(sim, token, '/xapi/v1/Defs?$select=Id')).body).toMatchObject({ Id: 1 });
  });

  it('answers 200 with valid JSON of the wrong shape on Call Control REST', async () => {
    await sim.faults.set({ malformedResponses: [{ pathPrefix: '/callcontrol', kind: 'wrong-shape' }] });
    const r = await api(sim, token, '/callcontrol');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body)).toBe(false);
    expect(r.body).toMatchObject({ unexpected: 'shape' });
  });

  it('answers 200 with an HTML page, switched on over /__sim/faults', async () => {
    const set = await fetch(`${sim.baseUrl}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ malformedResponses: [{ pathPrefix: '/xapi', kind: 'html' }] }),
    });
    expect(((await set.json()) as { malformedResponses: unknown[] }).malformedResponses).toHaveLength(1);
    const r = await api(sim, token, '/xapi/v1/Defs?$select=Id');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.text).toMatch(/^<!DOCTYPE html>/);
    await fetch(`${sim.baseUrl}/__sim/faults`, { method: 'DELETE' });
    expect((await api(sim, token, '/xapi/v1/Defs?$select=Id')).body).toMatchObject({ Id: 1 });
  });

  it('answers the token endpoint with an empty 200', async () => {
    await sim.faults.set({ malformedResponses: [{ pathPrefix: '/connect/token', kind: 'empty' }] });
    await expect(getToken(sim)).rejects.toThrow(SyntaxError);
    await sim.faults.clear();
    token = await getToken(sim); // a new token replaces the old one (one per client)
    expect(token).toMatch(/\./);
  });

  it('streams an oversized but valid JSON body (chunked, no content-length)', async () => {
    await sim.faults.set({ malformedResponses: [{ pathPrefix: '/callcontrol/', kind: 'oversized' }] });
    const r = await api(sim, token, '/callcontrol/100/participants');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBeNull();
    expect(r.text.length).toBeGreaterThanOrEqual(OVERSIZED_RESPONSE_BYTES);
    expect((r.body as { value: unknown[] }).value.length).toBeGreaterThan(1000);
    expect(sim.state().malformedResponsesServed.oversized).toBeGreaterThanOrEqual(1);
  });

  it('breaks only the share of requests given by probability (seeded)', async () => {
    await sim.faults.set({ malformedResponses: [{ pathPrefix: '/xapi', kind: 'empty', probability: 0.5 }] });
    const texts = await Promise.all(
      Array.from({ length: 40 }, () =>
        api(sim, token, '/xapi/v1/Defs?$select=Id').then((r) => `${r.status} ${r.text}`),
      ),
    );
    const empty = texts.filter((t) => t === '200 ').length;
    expect(empty).toBeGreaterThan(5);
    expect(empty).toBeLessThan(35);
  });
});
