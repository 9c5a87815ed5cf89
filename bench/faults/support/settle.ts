import type pg from 'pg';
import type { Simulator } from '@3cx-relay/simulator';
import { ledger, type Ledger, type Target } from './delivery-ledger.js';
import { sleep, until } from './wait.js';

/** Waits until the simulator has no live call and no CDR waiting to be written. */
export async function simQuiet(sim: Simulator, timeoutMs: number): Promise<void> {
  await until(
    () => {
      const s = sim.state();
      return s.activeCalls.length === 0 && s.pendingCdrWrites === 0;
    },
    timeoutMs,
    'simulator quiet',
  );
}

/**
 * Waits until the relay's event count has not changed for `stableMs` (CDR flows close after
 * their quiet time, the poller runs every second), bounded by `timeoutMs`.
 */
export async function eventsStable(pool: pg.Pool, stableMs: number, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= stableMs) return n;
    if (Date.now() > end) throw new Error(`event count still changing after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Waits (bounded) until nothing is lost, and returns the final ledger either way. */
export async function deliveriesDone(pool: pg.Pool, targets: Target[], timeoutMs: number): Promise<Ledger> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const l = await ledger(pool, targets);
    if (l.lost === 0 || Date.now() > end) return l;
    await sleep(500);
  }
}
