import type { NewEvent } from '@3cx-relay/events';

/** Most events one append of a poll's events carries (see {@link appendPaced}). */
export const APPEND_CHUNK = 20;

/** After each chunk, a pause of this many times the chunk's append time (see {@link appendPaced}). */
export const PACE_FACTOR = 3;

export interface PaceOptions {
  /** The most that pauses may add to one call, in total (ms). */
  budgetMs: number;
  /** Clock in ms (tests). */
  now?: () => number;
  /** Waits `ms` (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Appends a poll's events in chunks of {@link APPEND_CHUNK}, pausing after each chunk but the
 * last for {@link PACE_FACTOR} times what that chunk took, the pauses together never more than
 * `budgetMs`. Returns the pauses taken.
 *
 * Why: every append holds the event log's lock, and a live `call.ringing` waits behind it; and
 * a CDR poll at 100 new calls/s brings ~400 events once a second. In one append they held every
 * screen-pop behind them for tens of ms; in chunks of 20 back to back, they still took both
 * cores for ~100 ms once a second (the worker building and PostgreSQL inserting), and the live
 * path's requests to 3CX and to receivers waited for a core (end-to-end p99 +10 ms). Paced, the
 * same work is spread over up to half a poll interval. CDR events are not urgent: they describe
 * calls that ended and went quiet `CDR_FLOW_QUIET_MS` (3 s) ago. A crash between two chunks
 * re-reads the rows; their event ids are deterministic, so nothing is doubled.
 */
export async function appendPaced(
  append: (events: NewEvent[]) => Promise<unknown>,
  events: NewEvent[],
  o: PaceOptions,
): Promise<number[]> {
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let budget = Math.max(0, o.budgetMs);
  const pauses: number[] = [];
  for (let i = 0; i < events.length; i += APPEND_CHUNK) {
    const started = now();
    await append(events.slice(i, i + APPEND_CHUNK));
    const chunksLeft = Math.ceil((events.length - i - APPEND_CHUNK) / APPEND_CHUNK);
    if (chunksLeft <= 0) break;
    const pause = Math.min(PACE_FACTOR * Math.max(0, now() - started), budget / chunksLeft);
    budget -= pause;
    pauses.push(pause);
    if (pause >= 1) await sleep(pause);
  }
  return pauses;
}
