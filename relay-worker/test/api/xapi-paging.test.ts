import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { SimulatorOptions } from '@3cx-relay/simulator';
import { createApiKey } from '../support/api-keys.js';
import { startHarness, until } from '../sources/sim-harness.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';

const HISTORY = '/xapi/v1/CallHistoryView';
const ACTIVE_CALLS = '/xapi/v1/ActiveCalls';

/** A simulator with `sim` options, a counting proxy in front of it and a worker reading through it. */
async function setUp(tag: string, sim: Partial<SimulatorOptions>, env: Record<string, string> = {}) {
  const h = await startHarness(tag, { seed: 4, ...sim });
  const proxy = await startCountingProxy(h.sim.baseUrl);
  await h.startWorker({ PBX_URL: proxy.url, ...env });
  const pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
  const key = (await createApiKey(pool, ['calls:read', 'history:read'])).key;
  const get = async (path: string) => {
    const res = await fetch(`${h.worker!.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const stop = async () => {
    await pool.end();
    await h.stop();
    await proxy.close();
  };
  return { h, proxy, get, stop };
}

/** The largest `$top` the worker has asked `path` for. */
const largestTop = (proxy: CountingProxy, path: string) =>
  Math.max(...proxy.queries(path).map((q) => Number(q.get('$top') ?? Infinity)));

describe('XAPI collections are read in pages of at most 100 rows (3CX answers $top > 100 with 400)', () => {
  let s: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    // Answers cut short at 7 rows WITHOUT a continuation link: only $count=true shows the rest.
    s = await setUp('xpage', { maxTop: 100, serverPageSize: 7, serverPageNextLink: false });
    const names = ['inbound-queue-answered', 'ring-group-fanout', 'blind-transfer', 'queue-abandoned'];
    await Promise.all(names.map((name) => s.h.sim.runScenario(name)));
  });
  afterAll(() => s?.stop());

  it('GET /relay/call-history?limit=250 answers from CallHistoryView read in requests of ≤ 100 rows', async () => {
    const r = await s.get('/relay/call-history?limit=250');
    expect(r.status).toBe(200);
    expect(r.body.total).toBeGreaterThanOrEqual(14); // two cut-short answers at least
    expect(r.body.items).toHaveLength(r.body.total);
    expect(new Set(r.body.items.map((i: any) => i.segmentId)).size).toBe(r.body.total);
    expect(r.body.nextOffset).toBeNull();
    expect(largestTop(s.proxy, HISTORY)).toBeLessThanOrEqual(100);
  });

  it('a shortened page without @odata.nextLink is read on from where it stopped, offset and limit kept', async () => {
    const all = (await s.get('/relay/call-history?limit=1000')).body.items.map((i: any) => i.segmentId);
    const r = await s.get('/relay/call-history?limit=9&offset=3');
    expect(r.body.items.map((i: any) => i.segmentId)).toEqual(all.slice(3, 12));
    expect(r.body).toMatchObject({ limit: 9, offset: 3, nextOffset: 12 });
  });

  it('the ActiveCalls fallback pages too: every live call is listed when answers are cut short', async () => {
    const worker = s.h.worker!;
    const runs = [1, 2, 3].map(() => s.h.sim.runScenario('ringing-at-connect'));
    await until(() => s.h.sim.state().activeCalls.length === 3, 5000, 'three live calls');
    const calls = await worker.sources.activeCalls.fallbackCalls();
    expect(calls.map((c) => c.callId).sort()).toEqual(
      s.h.sim
        .state()
        .activeCalls.map((c) => String(c.Id))
        .sort(),
    );
    expect(largestTop(s.proxy, ACTIVE_CALLS)).toBeLessThanOrEqual(100);
    await Promise.all(runs);
  });
});

describe('XAPI with @odata.nextLink on cut-short answers', () => {
  let s: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    s = await setUp('xnext', { serverPageSize: 4, serverPageNextLink: true });
    await s.h.sim.runScenario('inbound-queue-answered');
    await s.h.sim.runScenario('ring-group-fanout');
  });
  afterAll(() => s?.stop());

  it('follows @odata.nextLink until the asked rows are read', async () => {
    const r = await s.get('/relay/call-history?limit=300');
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(r.body.total);
    const links = s.proxy.queries(HISTORY).filter((q) => q.get('$skip') !== '0');
    expect(links.length).toBeGreaterThan(0);
    expect(largestTop(s.proxy, HISTORY)).toBeLessThanOrEqual(100);
  });
});
