import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { StatusBoard } from '../../src/status/status-board.js';
import { silent, waitFor } from '../delivery/harness.js';

/**
 * A pool whose first `component_status` write is held until `release()`: the connection it
 * runs on is slow (a loaded machine, a busy pool) while the next write gets a quick one.
 */
function heldPool(pool: pg.Pool) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let held = false;
  let holding = false;
  const db = {
    async query(text: string, values?: unknown[]) {
      if (!held && text.includes('INSERT INTO component_status')) {
        held = true;
        holding = true;
        await gate;
        holding = false;
      }
      return pool.query(text, values);
    },
  } as unknown as pg.Pool;
  return { db, release, isHolding: () => holding };
}

describe('StatusBoard write order', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    t = await createTestDatabase('statusorder');
    pool = new pg.Pool({ connectionString: t.url, max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
  });

  it('a component’s states land in the order they were set, though the first write is the slower', async () => {
    const h = heldPool(pool);
    const board = new StatusBoard(h.db, silent);
    // A Reconnect: `connecting`, and `up` as soon as the new socket's reconcile is done.
    const connecting = board.set('callcontrol', { status: 'connecting' });
    await waitFor(h.isHolding, Boolean);
    const up = board.set('callcontrol', { status: 'up', latencyMs: 3 });
    // `up` must not overtake: give it every chance to (a board that let it would be done by now).
    await Promise.race([up, new Promise((r) => setTimeout(r, 200))]);
    h.release();
    await Promise.all([connecting, up]);

    const status = await pool.query<{ status: string }>(
      `SELECT status::text FROM component_status WHERE component = 'callcontrol'`,
    );
    expect(status.rows[0]!.status).toBe('up');
    const history = await pool.query<{ status: string }>(
      `SELECT status::text FROM connection_status_history WHERE component = 'callcontrol' ORDER BY id`,
    );
    expect(history.rows.map((r) => r.status)).toEqual(['connecting', 'up']);
    expect(board.get('callcontrol')?.status).toBe('up');
  });

  it('another component’s write does not wait behind a slow one', async () => {
    const h = heldPool(pool);
    const board = new StatusBoard(h.db, silent);
    const slow = board.set('xapi', { status: 'degraded', error: 'slow' });
    await waitFor(h.isHolding, Boolean);
    await board.set('db3cx', { status: 'up' });
    const rows = await pool.query<{ component: string }>(
      `SELECT component FROM component_status WHERE component IN ('xapi', 'db3cx')`,
    );
    expect(rows.rows.map((r) => r.component)).toEqual(['db3cx']);
    h.release();
    await slow;
    const after = await pool.query<{ status: string }>(
      `SELECT status::text FROM component_status WHERE component = 'xapi'`,
    );
    expect(after.rows[0]!.status).toBe('degraded');
  });
});
