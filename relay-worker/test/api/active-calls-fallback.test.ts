import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createApiKey } from '../support/api-keys.js';
import { startHarness, until, type Harness } from '../sources/sim-harness.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';

const ACTIVE_CALLS = '/xapi/v1/ActiveCalls';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A harness, an API key with calls:read and a GET helper for the worker. */
async function setUp(
  tag: string,
  extraEnv: (h: Harness) => Record<string, string> | Promise<Record<string, string>>,
) {
  // timeScale 0.5: the internal call rings ~1.5 s and talks ~5 s, longer than the 1 s cache.
  const h = await startHarness(tag, { seed: 3, timeScale: 0.5 });
  await h.startWorker(await extraEnv(h));
  const pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
  const key = (await createApiKey(pool, ['calls:read'])).key;
  const get = async (path: string) => {
    const res = await fetch(`${h.worker!.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  return { h, pool, get };
}

describe('GET /relay/active-calls with Call Control disabled (XAPI fallback)', () => {
  let h: Harness;
  let pool: pg.Pool;
  let proxy: CountingProxy;
  let get: (path: string) => Promise<{ status: number; body: Record<string, any> }>;
  beforeAll(async () => {
    ({ h, pool, get } = await setUp('acfb', async (harness) => {
      proxy = await startCountingProxy(harness.sim.baseUrl);
      return { PBX_URL: proxy.url, SOURCE_CALLCONTROL_ENABLED: 'false' };
    }));
  });
  afterAll(async () => {
    await pool?.end();
    await h?.stop();
    await proxy?.close();
  });

  it('shows a running call from XAPI with parsed parties and state, filters by extension, and drops it after the end', async () => {
    expect((await get('/relay/active-calls')).body).toEqual({ source: 'xapi', count: 0, calls: [] });
    const run = h.sim.runScenario('internal'); // 101 Ben Carter calls 102 Clara Diaz, who answers
    const talking = await until(
      async () => {
        const r = await get('/relay/active-calls');
        return r.body.calls?.[0]?.state === 'talking' ? r : undefined;
      },
      20_000,
      'a talking call',
    );
    const simCall = h.sim.state().activeCalls[0]!;
    expect(talking.status).toBe(200);
    expect(talking.body).toMatchObject({ source: 'xapi', count: 1 });
    expect(talking.body.calls[0]).toEqual({
      callId: String(simCall.Id),
      callHistoryId: null,
      direction: 'internal',
      state: 'talking',
      caller: { number: '101', name: 'Ben Carter', dn: '101', kind: 'unknown' },
      callee: { number: '102', name: 'Clara Diaz', dn: '102', kind: 'unknown' },
      did: null,
      queue: null,
      extensions: ['101', '102'],
      startedAt: new Date(simCall.EstablishedAt as string).toISOString(),
      answeredAt: null,
      answeredBy: '102',
      participants: [],
    });
    const callee = await get('/relay/active-calls?extension=102');
    expect(callee.body).toMatchObject({ source: 'xapi', count: 1, calls: [{ callId: String(simCall.Id) }] });
    expect((await get('/relay/active-calls?extension=100')).body).toEqual({
      source: 'xapi',
      count: 0,
      calls: [],
    });
    await run;
    await until(async () => (await get('/relay/active-calls')).body.count === 0, 20_000, 'no active calls');
  });

  it('answers a burst of concurrent requests with one XAPI ActiveCalls request', async () => {
    await sleep(1100); // the previous answer has aged out of the 1 s cache
    // Slow ActiveCalls answers, so the whole burst arrives while the one request is in flight.
    await h.sim.faults.set({ delayMs: 300, delayPathPrefix: ACTIVE_CALLS });
    try {
      const before = proxy.count(ACTIVE_CALLS);
      const answers = await Promise.all(Array.from({ length: 20 }, () => get('/relay/active-calls')));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(new Set(answers.map((a) => a.body.source))).toEqual(new Set(['xapi']));
      expect(proxy.count(ACTIVE_CALLS) - before).toBe(1);
    } finally {
      await h.sim.faults.clear();
    }
  });

  it('answers 502 UPSTREAM_ERROR naming both sources while XAPI fails, and recovers', async () => {
    await h.sim.faults.set({ httpErrors: [{ pathPrefix: ACTIVE_CALLS, status: 500 }] });
    try {
      const failed = await until(
        async () => {
          const r = await get('/relay/active-calls');
          return r.status !== 200 ? r : undefined;
        },
        20_000,
        'an error answer',
      );
      expect(failed.status).toBe(502);
      expect(failed.body.error.code).toBe('UPSTREAM_ERROR');
      expect(failed.body.error.message).toMatch(/Call Control is disabled and XAPI ActiveCalls failed/);
    } finally {
      await h.sim.faults.clear();
    }
    await until(async () => (await get('/relay/active-calls')).status === 200, 20_000, 'a 200 again');
  });
});

describe('GET /relay/active-calls with Call Control enabled', () => {
  let h: Harness;
  let pool: pg.Pool;
  let get: (path: string) => Promise<{ status: number; body: Record<string, any> }>;
  beforeAll(async () => {
    ({ h, pool, get } = await setUp('acup', () => ({})));
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
  });
  afterAll(async () => {
    await pool?.end();
    await h?.stop();
  });

  /** Waits for a call in the answer and returns the answer. */
  const duringCall = () =>
    until(
      async () => {
        const r = await get('/relay/active-calls');
        return r.body.count > 0 ? r : undefined;
      },
      20_000,
      'an active call',
    );

  it('answers from the live state while Call Control is up, from XAPI while it is down', async () => {
    expect((await get('/relay/active-calls')).body).toEqual({ source: 'callcontrol', count: 0, calls: [] });
    let run = h.sim.runScenario('internal');
    const live = await duringCall();
    expect(live.body.source).toBe('callcontrol');
    expect(live.body.calls[0].participants.length).toBeGreaterThan(0); // only the live state has them
    await run;

    await h.sim.faults.set({ refuseWebSockets: true, dropWebSockets: true });
    try {
      await until(() => h.worker!.status.get('callcontrol')?.status !== 'up', 20_000, 'callcontrol not up');
      run = h.sim.runScenario('internal');
      const fallback = await duringCall();
      expect(fallback.body.source).toBe('xapi');
      expect(fallback.body.calls[0]).toMatchObject({ caller: { dn: '101' }, participants: [] });
      await run;
    } finally {
      await h.sim.faults.clear();
    }
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up again');
    expect((await get('/relay/active-calls')).body.source).toBe('callcontrol');
  });

  it('while Call Control is only degraded (socket open, snapshot failing) and XAPI fails too, answers from the live state', async () => {
    const run = h.sim.runScenario('internal');
    await duringCall();
    await h.sim.faults.set({
      httpErrors: [
        { pathPrefix: '/callcontrol', status: 500 },
        { pathPrefix: '/xapi', status: 500 },
      ],
    });
    try {
      await h.worker!.sources.callControl!.reconcileNow();
      expect(h.worker!.status.get('callcontrol')?.status).toBe('degraded');
      const r = await get('/relay/active-calls');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ source: 'callcontrol', count: 1 });
      expect((await get('/relay/active-calls?extension=101')).body.count).toBe(1);
      await h.sim.faults.set({ httpErrors: [{ pathPrefix: '/xapi', status: 500 }] });
      await h.sim.faults.set({ dropWebSockets: true, refuseWebSockets: true });
      await until(() => h.worker!.status.get('callcontrol')?.status === 'down', 20_000, 'callcontrol down');
      expect((await get('/relay/active-calls')).status).toBe(502); // no open socket: no live answer
    } finally {
      await h.sim.faults.clear();
    }
    await run;
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up again');
  });
});
