import type { Db } from '@3cx-relay/db';
import type { ActiveCall } from '@3cx-relay/events';

/** A snapshot older than this means the worker stopped publishing (it rewrites it every 30 s). */
export const STALE_AFTER_MS = 75_000;

/** A queue's figures as the wallboard shows them. */
export interface WallboardQueue {
  queue: string;
  name: string | null;
  waiting: number;
  longestWaitingSince: string | null;
  agents: number;
  agentsLoggedIn: number;
  agentsAvailable: number;
  answeredToday: number;
  abandonedToday: number;
  day: string;
  updatedAt: string;
}

/** An agent's state as the wallboard shows it. */
export interface WallboardAgent {
  extension: string;
  name: string | null;
  profileName: string | null;
  presence: string;
  dnd: boolean;
  queueStatus: string;
  registered: boolean;
  queues: string[];
  since: string;
}

/** Everything the wallboard shows, JSON-safe (times as ISO strings). */
export interface Wallboard {
  calls: ActiveCall[];
  queues: WallboardQueue[];
  agents: WallboardAgent[];
  /** When the worker last published the calls, or null if it never did. */
  callsAt: string | null;
  /** True when that is too old: the worker is not running (or cannot write). */
  stale: boolean;
  /** The server's clock when read (the browser corrects its own by it). */
  serverNow: string;
}

/**
 * Reads the wallboard: the calls in progress the worker publishes (`live_snapshots` row
 * `calls`), each queue's last figures (`queue_states`) and every agent's state (`agent_states`).
 */
export async function readWallboard(db: Db): Promise<Wallboard> {
  const [snap, queues, agents] = await Promise.all([
    db.liveSnapshot.findUnique({ where: { name: 'calls' } }),
    db.queueState.findMany({ orderBy: { queue: 'asc' } }),
    db.agentState.findMany({ orderBy: { extension: 'asc' } }),
  ]);
  const value = (snap?.value ?? {}) as { calls?: ActiveCall[] };
  const now = Date.now();
  return {
    calls: Array.isArray(value.calls) ? value.calls : [],
    queues: queues.map((q) => ({
      ...q,
      longestWaitingSince: q.longestWaitingSince?.toISOString() ?? null,
      updatedAt: q.updatedAt.toISOString(),
    })),
    agents: agents.map(({ updatedAt: _u, ...a }) => ({ ...a, since: a.since.toISOString() })),
    callsAt: snap?.updatedAt.toISOString() ?? null,
    stale: !snap || now - snap.updatedAt.getTime() > STALE_AFTER_MS,
    serverNow: new Date(now).toISOString(),
  };
}
