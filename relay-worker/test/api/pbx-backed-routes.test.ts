import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createApiKey } from '../support/api-keys.js';
import { startHarness, until, type Harness } from '../sources/sim-harness.js';

describe('routes backed by the PBX (3CX simulator)', () => {
  let h: Harness;
  let pool: pg.Pool;
  let key: string;
  beforeAll(async () => {
    h = await startHarness('apisim', { seed: 11 });
    await h.startWorker();
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
    pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
    key = (await createApiKey(pool, ['calls:read', 'history:read'])).key;
  });
  afterAll(async () => {
    await pool?.end();
    await h?.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(`${h.worker!.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('GET /relay/active-calls - shows a call in progress from live state, then none', async () => {
    const run = h.sim.runScenario('inbound-queue-answered');
    const during = await until(
      async () => {
        const r = await get('/relay/active-calls');
        return r.body.count > 0 ? r : undefined;
      },
      20_000,
      'an active call',
    );
    expect(during.status).toBe(200);
    expect(during.body.calls[0]).toMatchObject({
      callId: expect.any(String),
      direction: 'inbound',
      participants: expect.any(Array),
    });
    await run;
    await until(async () => (await get('/relay/active-calls')).body.count === 0, 20_000, 'no active calls');
  });

  it('GET /relay/call-history - pages CallHistoryView with time and extension filters', async () => {
    await h.sim.runScenario('outbound');
    const all = await until(
      async () => {
        const r = await get('/relay/call-history?limit=2');
        return r.body.items?.length ? r : undefined;
      },
      20_000,
      'history rows',
    );
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ limit: 2, offset: 0, total: expect.any(Number) });
    expect(all.body.items[0]).toMatchObject({
      segmentId: expect.any(Number),
      startedAt: expect.any(String),
      source: expect.any(Object),
      destination: expect.any(Object),
    });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await get(
      `/relay/call-history?from=${encodeURIComponent(future)}&to=${encodeURIComponent(new Date(Date.now() + 7_200_000).toISOString())}`,
    );
    expect(none.body.items).toEqual([]);
    const ext = all.body.items[0].source.dn ?? all.body.items[0].destination.dn;
    const byExt = await get(`/relay/call-history?extension=${encodeURIComponent(ext)}`);
    expect(byExt.body.items.length).toBeGreaterThan(0);
    for (const s of byExt.body.items) expect([s.source.dn, s.destination.dn]).toContain(ext);
  });
});
