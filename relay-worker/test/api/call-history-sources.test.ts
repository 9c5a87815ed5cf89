import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createApiKey } from '../support/api-keys.js';
import { startHarness, until, type Harness } from '../sources/sim-harness.js';

// Which source /relay/call-history answers from, per CALL_HISTORY_SOURCE and enabled sources.

const NO_API = { SOURCE_XAPI_ENABLED: 'false', SOURCE_CALLCONTROL_ENABLED: 'false' };

describe('GET /relay/call-history - CALL_HISTORY_SOURCE', () => {
  let h: Harness;
  let pool: pg.Pool;
  let key: string;
  let cdrIds: string[];

  const get = async (path = '/relay/call-history?limit=1000') => {
    const res = await fetch(`${h.worker!.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const restart = async (env: Record<string, string>) => {
    await h.stopWorker();
    await h.startWorker(env);
  };

  beforeAll(async () => {
    h = await startHarness('chsrc', { seed: 29 });
    await h.startWorker();
    pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
    key = (await createApiKey(pool, ['history:read'])).key;
    const run = await h.sim.runScenario('outbound');
    expect(run.cdrsWritten).toBe(true);
    cdrIds = run.cdrIds!;
    expect(cdrIds.length).toBeGreaterThan(0);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await h?.stop();
  });

  it('auto with XAPI enabled answers from XAPI, in the XAPI shape plus null cdr ids', async () => {
    const res = await until(
      async () => {
        const r = await get();
        return r.body.items?.length ? r : undefined;
      },
      20_000,
      'XAPI history rows',
    );
    expect(res.body.source).toBe('xapi');
    expect(Object.keys(res.body)).toEqual([
      'source',
      'from',
      'to',
      'total',
      'limit',
      'offset',
      'nextOffset',
      'items',
    ]);
    for (const s of res.body.items) {
      expect(s).toMatchObject({ segmentId: expect.any(Number), cdrId: null, callHistoryId: null });
      expect(s.duration).toMatch(/^PT/);
    }
  });

  it('CALL_HISTORY_SOURCE=cdroutput answers from cdroutput although XAPI is enabled', async () => {
    await restart({ CALL_HISTORY_SOURCE: 'cdroutput' });
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('cdroutput');
    expect(res.body.items.map((s: any) => s.cdrId).sort()).toEqual([...cdrIds].sort());
  });

  it('CALL_HISTORY_SOURCE=cdroutput with the database source off reads through its own pool', async () => {
    await restart({ ...NO_API, SOURCE_DB_ENABLED: 'false', CALL_HISTORY_SOURCE: 'cdroutput' });
    expect(h.worker!.sources.db3cx).toBeUndefined();
    const res = await get();
    expect(res.body).toMatchObject({ source: 'cdroutput', total: cdrIds.length });
  });

  it('auto with XAPI off and the database source on answers from cdroutput', async () => {
    await restart(NO_API);
    expect((await get()).body).toMatchObject({ source: 'cdroutput', total: cdrIds.length });
  });

  it('neither source: 503 UNAVAILABLE saying what to configure', async () => {
    await restart({ ...NO_API, SOURCE_DB_ENABLED: 'false' });
    const res = await get();
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/needs XAPI .*or 3CX's database \(SOURCE_DB_ENABLED is false\)/),
    });
  });

  it('a forced source that is not configured: 503 naming it', async () => {
    await restart({ ...NO_API, PBX_URL: '', CALL_HISTORY_SOURCE: 'xapi' });
    const x = await get();
    expect(x.status).toBe(503);
    expect(x.body.error.message).toMatch(/^CALL_HISTORY_SOURCE=xapi, but XAPI is not configured/);
    await restart({
      ...NO_API,
      SOURCE_DB_ENABLED: 'false',
      PBX_INI_PATH: '/nonexistent/3CXPhoneSystem.ini',
      CALL_HISTORY_SOURCE: 'cdroutput',
    });
    const c = await get();
    expect(c.status).toBe(503);
    expect(c.body.error.message).toMatch(
      /^CALL_HISTORY_SOURCE=cdroutput, but 3CX's database is not available \(ini not found at \/nonexistent/,
    );
  });
});
