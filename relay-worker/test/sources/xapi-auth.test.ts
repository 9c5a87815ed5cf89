import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@3cx-relay/simulator';
import { TokenHolder } from '../../src/sources/xapi/token-holder.js';
import { PbxHttp } from '../../src/sources/xapi/pbx-http.js';
import { XapiClient } from '../../src/sources/xapi/xapi-client.js';
import { PbxError } from '../../src/sources/pbx-error.js';
import { startHarness, until, type Harness } from './sim-harness.js';

const silent = pino({ level: 'silent' });

function clientFor(sim: Simulator, who: 'owner' | 'admin' = 'owner', now?: () => number) {
  const c = sim.clients[who];
  const tokens = new TokenHolder(
    { baseUrl: sim.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, ...(now ? { now } : {}) },
    silent,
  );
  return { tokens, xapi: new XapiClient(new PbxHttp(sim.baseUrl, tokens)) };
}

describe('XAPI token holder against the simulator', () => {
  let sim8: Simulator;
  let sim9: Simulator;
  beforeAll(async () => {
    const pgUrl = process.env.RELAY_TEST_PG_URL!;
    [sim8, sim9] = await Promise.all([
      startSimulator({
        pgUrl,
        dbName: 'simdb_tok8',
        readonlyRole: 'simro_tok8',
        version: '20.0.8',
        timeScale: 0.02,
        dropOnStop: true,
      }),
      startSimulator({
        pgUrl,
        dbName: 'simdb_tok9',
        readonlyRole: 'simro_tok9',
        version: '20.0.9',
        dropOnStop: true,
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([sim8?.stop(), sim9?.stop()]);
  });

  it('reads expires_in: 60 from 20.0.8 as 60 minutes and 3600 from 20.0.9 as seconds', async () => {
    const a = clientFor(sim8);
    const b = clientFor(sim9);
    const t0 = Date.now();
    await a.tokens.get();
    await b.tokens.get();
    for (const t of [a.tokens, b.tokens]) {
      expect(t.expiresAt! - t0).toBeGreaterThan(59 * 60_000);
      expect(t.expiresAt! - t0).toBeLessThan(61 * 60_000);
    }
  });

  it('refreshes a token that is due before it expires (minutes mode)', async () => {
    let now = Date.now();
    const { tokens, xapi } = clientFor(sim8, 'owner', () => now);
    await xapi.probe();
    expect(tokens.fetchCount).toBe(1);
    now += 56 * 60_000; // past the refresh point, before expiry
    await xapi.probe();
    expect(tokens.fetchCount).toBe(2);
  });

  it('recovers from a 401 by fetching one new token, with concurrent callers sharing the fetch', async () => {
    const { tokens, xapi } = clientFor(sim8);
    await xapi.probe();
    expect(tokens.fetchCount).toBe(1);
    await sim8.faults.set({ expireTokens: true });
    await Promise.all([xapi.probe(), xapi.probe(), xapi.activeCalls(), xapi.probe()]);
    expect(tokens.fetchCount).toBe(2);
  });

  it('explains a 403 on call history: the client needs the System Owner role', async () => {
    const { xapi } = clientFor(sim8, 'admin');
    await xapi.probe(); // Defs works for System Admin
    const err = await xapi
      .getCallHistory({ from: new Date(Date.now() - 3600_000), to: new Date(), top: 1, skip: 0 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PbxError);
    expect((err as PbxError).kind).toBe('FORBIDDEN');
    expect((err as PbxError).message).toMatch(/System Owner/);
  });

  it('reports wrong credentials clearly', async () => {
    const tokens = new TokenHolder(
      { baseUrl: sim8.baseUrl, clientId: sim8.clients.owner.clientId, clientSecret: 'wrong' },
      silent,
    );
    await expect(tokens.get()).rejects.toMatchObject({ kind: 'BAD_CREDENTIALS' });
  });

  it('reads CallHistoryView pages for /relay/call-history, filtered by extension', async () => {
    await sim8.runScenario('internal');
    const { xapi } = clientFor(sim8);
    const page = await xapi.getCallHistory({
      from: new Date(Date.now() - 600_000),
      to: new Date(Date.now() + 60_000),
      extension: '102',
      top: 10,
      skip: 0,
    });
    expect(page.total).toBeGreaterThan(0);
    expect(page.items.every((s) => s.SrcDn === '102' || s.DstDn === '102')).toBe(true);
  });
});

describe('worker with a System Admin API client', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('adm', {}, 'admin');
    // XAPI alone: a Call Control reconnect (a missed pong on a loaded machine) takes a fresh
    // token by design, which would blur the count of token fetches this test is about.
    await h.startWorker({
      XAPI_HEALTH_INTERVAL_MS: '300',
      SOURCE_DB_ENABLED: 'false',
      SOURCE_CALLCONTROL_ENABLED: 'false',
    });
  });
  afterAll(async () => h?.stop());

  it('shows XAPI red with the System Owner hint, logs it once, and does not retry in a loop', async () => {
    await until(() => h.worker!.status.get('xapi')?.status === 'down', 20_000, 'xapi down');
    expect(h.worker!.status.get('xapi')?.lastError).toMatch(/System Owner/);
    const probedAt = h.worker!.status.get('xapi')!.updatedAt.getTime();
    const fetchesBefore = h.worker!.sources.tokens!.fetchCount;
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.worker!.sources.tokens!.fetchCount).toBe(fetchesBefore); // the token is fine: no refetch storm
    expect(h.worker!.status.get('xapi')!.updatedAt.getTime()).toBeGreaterThan(probedAt); // still probing every period
    const logged = await h.db
      .db()
      .errorLog.findMany({ where: { component: 'xapi', code: 'XAPI_FORBIDDEN' } });
    expect(logged).toHaveLength(1);
    expect(logged[0]!.severity).toBe('critical');
    const row = await h.db.db().componentStatus.findUnique({ where: { component: 'xapi' } });
    expect(row?.status).toBe('down');
    expect(h.worker!.status.get('database')?.status).toBe('up');
  });
});
