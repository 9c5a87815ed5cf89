import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey } from '../support/api-keys.js';
import { startHarness, until, type Harness } from './sim-harness.js';

// 3CX's database hangs (a lock held by a stuck maintenance job, an overloaded server): the
// worker's statement timeout must turn the wait into an error it reports and retries, and
// once the database answers again the CDR stream resumes with no gap and no duplicate.
let h: Harness;
let pool: pg.Pool;
let key: string;
beforeAll(async () => {
  h = await startHarness('stall', { seed: 21 });
  await h.startWorker({
    SOURCE_XAPI_ENABLED: 'false',
    SOURCE_CALLCONTROL_ENABLED: 'false',
    PBX_DB_STATEMENT_TIMEOUT_MS: '300',
  });
  pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
  key = (await createApiKey(pool, ['history:read'])).key;
  await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up');
});
afterAll(async () => {
  await pool?.end();
  await h?.stop();
});

const history = async () => {
  const res = await fetch(`${h.worker!.url}/relay/call-history`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

it('a stalled 3CX database: statement timeout → db3cx down and call-history 502; afterwards every CDR arrives once', async () => {
  const before = await h.sim.runScenario('internal');
  await until(
    async () =>
      (await h.events(`type = 'cdr.created' AND call_history_id = $1`, [before.callHistoryId])).length,
    20_000,
    'first CDR',
  );

  await h.sim.faults.set({ dbStall: true });
  await until(() => h.worker!.status.get('db3cx')?.status === 'down', 20_000, 'db3cx down');
  expect(h.worker!.status.get('db3cx')?.lastError).toMatch(/statement timeout/);
  const stalled = await history();
  expect(stalled.status).toBe(502);
  expect(stalled.body.error.message).toMatch(/statement timeout/);
  const during = h.sim.runScenario('inbound-missed'); // its CDR insert waits on the lock

  await h.sim.faults.set({ dbStall: false });
  const after = await during;
  expect(after.cdrsWritten).toBe(true);
  await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up again');
  await until(
    async () =>
      (await h.events(`type = 'cdr.created' AND call_history_id = $1`, [after.callHistoryId])).length,
    20_000,
    'CDR of the call that ended during the stall',
  );
  const cdrs = await h.events(`type = 'cdr.created'`);
  const ids = cdrs.map((e) => e.data.cdrId as string);
  expect(new Set(ids).size).toBe(ids.length);
  const ro = new pg.Client({ connectionString: h.sim.readonlyDbUrl });
  await ro.connect();
  const rows = await ro.query<{ n: number }>('SELECT count(*)::int AS n FROM cdroutput');
  await ro.end();
  expect(ids.length).toBe(rows.rows[0]!.n);
  expect((await history()).status).toBe(200);
});
