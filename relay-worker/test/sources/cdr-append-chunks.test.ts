import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { APPEND_CHUNK } from '../../src/sources/db3cx/db3cx-source.js';
import { startHarness, until, type Harness } from './sim-harness.js';

// Every append holds the event log's lock, and a live call.ringing waits behind it: a CDR poll
// that brings hundreds of events (100 new calls/s, or a backlog after a restart) must append
// them in small transactions, not in one.
let h: Harness;
let pool: pg.Pool;
const ONLY_DB = { SOURCE_XAPI_ENABLED: 'false', SOURCE_CALLCONTROL_ENABLED: 'false' };
beforeAll(async () => {
  h = await startHarness('cdrchunk', { seed: 5, timeScale: 0.05 });
  pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await h?.stop();
});

it('a CDR backlog is appended in transactions of at most APPEND_CHUNK events, every row once', async () => {
  // A first run stores the cursor; the calls then end while the worker is stopped.
  await h.startWorker(ONLY_DB);
  await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up');
  await h.stopWorker();
  const runs = await Promise.all(Array.from({ length: 60 }, () => h.sim.runScenario('internal')));
  expect(runs.every((r) => r.cdrsWritten)).toBe(true);
  const ro = new pg.Client({ connectionString: h.sim.readonlyDbUrl });
  await ro.connect();
  const rows = (await ro.query<{ n: number }>('SELECT count(*)::int AS n FROM cdroutput')).rows[0]!.n;
  await ro.end();
  expect(rows).toBeGreaterThan(APPEND_CHUNK); // the first poll reads more than one chunk

  await h.startWorker(ONLY_DB);
  await until(async () => (await h.events(`type = 'cdr.created'`)).length === rows, 30_000, 'every CDR');
  await until(
    async () => (await h.events(`type = 'call.completed'`)).length === 60,
    30_000,
    'every call.completed',
  );
  // One append is one transaction: its events share created_at (the transaction's start).
  const appends = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM events WHERE type IN ('cdr.created', 'call.completed') GROUP BY created_at`,
  );
  expect(Math.max(...appends.rows.map((r) => r.n))).toBeLessThanOrEqual(APPEND_CHUNK);
  const ids = (await h.events(`type = 'cdr.created'`)).map((e) => e.data.cdrId as string);
  expect(new Set(ids).size).toBe(rows);
}, 120_000);
