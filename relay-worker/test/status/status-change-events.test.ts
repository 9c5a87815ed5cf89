import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '@3cx-relay/events';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { EventStore, type StoredEvent } from '../../src/events/event-store.js';
import { StatusBoard, type ComponentName, type ComponentState } from '../../src/status/status-board.js';
import { StatusChangeEvents } from '../../src/status/status-change-events.js';
import { silent, waitFor } from '../delivery/harness.js';

/** An event store whose next `failures` appends fail: before the commit, or after it (a lost COMMIT reply). */
class FlakyStore extends EventStore {
  failures = 0;
  failAfterCommit = false;
  override async append(events: NewEvent[]): Promise<StoredEvent[]> {
    if (this.failures > 0 && !this.failAfterCommit) {
      this.failures--;
      throw new Error('connection terminated');
    }
    const out = await super.append(events);
    if (this.failures > 0) {
      this.failures--;
      throw new Error('connection terminated after COMMIT');
    }
    return out;
  }
}

describe('StatusChangeEvents', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let store: FlakyStore;
  let board: StatusBoard;
  let tracker: StatusChangeEvents;

  beforeAll(async () => {
    t = await createTestDatabase('statusev');
    pool = new pg.Pool({ connectionString: t.url, max: 4 });
  });
  afterAll(async () => {
    await tracker?.stop();
    await pool.end();
    await t.drop();
  });
  beforeEach(async () => {
    await tracker?.stop();
    await pool.query('DELETE FROM events');
    store = new FlakyStore(pool, silent);
    board = new StatusBoard(pool, silent);
    tracker = new StatusChangeEvents(pool, store, silent, { retryMs: 50 });
    await tracker.load();
    tracker.attach(board);
  });

  const set = (component: ComponentName, status: ComponentState, error?: string) =>
    board.set(component, { status, ...(error ? { error } : {}) });
  const changes = async () => {
    await tracker.idle();
    const res = await pool.query<{ data: { component: string; from: string | null; to: string } }>(
      `SELECT data FROM events WHERE type = 'relay.status_changed' ORDER BY sequence`,
    );
    return res.rows.map((r) => `${r.data.component} ${r.data.from ?? '-'}>${r.data.to}`);
  };

  it('reports changes between up, degraded and down, once per state, not start-up or connecting', async () => {
    await set('callcontrol', 'connecting');
    await set('callcontrol', 'up');
    await set('xapi', 'connecting');
    await set('xapi', 'up');
    expect(await changes()).toEqual([]);
    await set('callcontrol', 'down', 'WebSocket: closed');
    await set('callcontrol', 'connecting');
    await set('callcontrol', 'down', 'WebSocket: refused');
    await set('callcontrol', 'up');
    await set('callcontrol', 'down', 'WebSocket: closed');
    await set('callcontrol', 'up');
    await set('xapi', 'degraded', 'slow');
    await set('xapi', 'up');
    expect(await changes()).toEqual([
      'callcontrol up>down',
      'callcontrol down>up',
      'callcontrol up>down',
      'callcontrol down>up',
      'xapi up>degraded',
      'xapi degraded>up',
    ]);
  });

  it('ignores the database and disabled sources, and reports a source that starts down', async () => {
    await set('database', 'up');
    await set('database', 'down', 'connection refused');
    await set('xapi', 'disabled');
    await set('db3cx', 'connecting');
    await set('db3cx', 'down', 'ECONNREFUSED');
    expect(await changes()).toEqual(['db3cx ->down']);
    const [row] = (await pool.query<{ data: object }>(`SELECT data FROM events`)).rows;
    expect(row!.data).toMatchObject({ component: 'db3cx', from: null, to: 'down', error: 'ECONNREFUSED' });
  });

  it('after a restart, continues from the last reported state instead of repeating it', async () => {
    await set('callcontrol', 'up');
    await set('callcontrol', 'down', 'WebSocket: closed');
    await tracker.stop();
    const restarted = new StatusChangeEvents(pool, store, silent);
    await restarted.load();
    const board2 = new StatusBoard(pool, silent);
    restarted.attach(board2);
    await board2.set('callcontrol', { status: 'connecting' });
    await board2.set('callcontrol', { status: 'down', error: 'WebSocket: refused' });
    await board2.set('callcontrol', { status: 'up' });
    await restarted.stop();
    expect(await changes()).toEqual(['callcontrol up>down', 'callcontrol down>up']);
  });

  it('keeps an event whose append failed and appends it once when the database is back', async () => {
    await set('callcontrol', 'up');
    store.failures = 1;
    await set('callcontrol', 'down', 'WebSocket: closed');
    await tracker.idle();
    expect(store.failures).toBe(0); // the first append did fail
    await waitFor(changes, (c) => c.length === 1, 20_000);
    expect(await changes()).toEqual(['callcontrol up>down']);
  });

  it('a retry after an append that committed but reported failure does not double the event', async () => {
    await set('callcontrol', 'up');
    store.failures = 1;
    store.failAfterCommit = true;
    await set('callcontrol', 'down', 'WebSocket: closed');
    await set('callcontrol', 'up');
    // The retry appends the failed event again with the new one: only the new one is inserted.
    await waitFor(changes, (c) => c.length === 2, 20_000);
    await new Promise((r) => setTimeout(r, 150));
    expect(await changes()).toEqual(['callcontrol up>down', 'callcontrol down>up']);
  });
});
