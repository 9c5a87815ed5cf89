import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './sim-harness.js';

// The live call state is saved every ~500 ms so a restarted worker keeps its event ids. That
// save must never hold up the events themselves: a screen-pop waits on every event behind it.
let h: Harness;
let pool: pg.Pool;
beforeAll(async () => {
  h = await startHarness('ccsave', { seed: 4, timeScale: 0.2 });
  await h.startWorker({ SOURCE_DB_ENABLED: 'false', SOURCE_XAPI_ENABLED: 'false' });
  await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
  pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await h?.stop();
});

const savedAt = async () =>
  (
    await pool.query<{ at: Date }>(
      `SELECT updated_at AS at FROM source_cursors WHERE name = 'callcontrol:calls'`,
    )
  ).rows[0]?.at;

it('a call-state save that cannot finish does not hold up the events behind it; the state is saved once it can', async () => {
  // A first call, so the state row exists and its saves have started.
  await h.sim.runScenario('internal');
  await until(async () => (await h.events(`type = 'call.ended'`)).length === 1, 20_000, 'first call ended');
  const before = await until(savedAt, 20_000, 'call state saved once');
  // Hold the state row: every save now waits for this transaction.
  const blocker = await pool.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM source_cursors WHERE name = 'callcontrol:calls' FOR UPDATE`);
    const known = new Set((await h.events(`type = 'call.ended'`)).map((e) => e.call_id));
    // At real speed this call lasts seconds, so saves fall due (and block) while it rings, is
    // answered and ends.
    await h.sim.runScenario('internal', { timeScale: 1 });
    const ended = await until(
      async () => (await h.events(`type = 'call.ended'`)).find((e) => !known.has(e.call_id)),
      20_000,
      'the second call ended while a save was blocked',
    );
    const types = (await h.events('call_id = $1', [ended.call_id])).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['call.ringing', 'call.answered', 'call.ended']));
    expect(await savedAt()).toEqual(before);
    await blocker.query('COMMIT');
  } finally {
    blocker.release();
  }
  await until(
    async () => (await savedAt())!.getTime() > before.getTime(),
    20_000,
    'state saved after the block',
  );
}, 90_000);
