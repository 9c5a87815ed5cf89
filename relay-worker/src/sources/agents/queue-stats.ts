import { eventId, type ActiveCall, type AgentState, type NewEvent, type QueueStats } from '@3cx-relay/events';

/** A queue's figures without the time-dependent parts (what "changed" compares). */
export type QueueFigures = Omit<QueueStats, 'longestWaitSeconds' | 'at'>;

/** Calls answered and abandoned in a queue on one day. */
export interface DayCounts {
  answered: number;
  abandoned: number;
}

/** One formatter per time zone: building an `Intl.DateTimeFormat` costs far more than using one. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of an instant in a time zone (IANA name). */
export function dayIn(timeZone: string, at: Date): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f.format(at);
}

/** Whether a call waits in `queue`: it went through the queue and no agent has answered it yet. */
export function waitsIn(call: ActiveCall, queue: string): boolean {
  return call.queue === queue && call.answeredAt === null;
}

/** Extensions talking on a call now (a `Connected` leg of theirs). */
export function busyExtensions(calls: ActiveCall[]): Set<string> {
  const out = new Set<string>();
  for (const c of calls) for (const p of c.participants) if (p.status === 'Connected') out.add(p.dn);
  return out;
}

/** Whether an agent could take a queue call now. */
export function isAvailable(a: AgentState | undefined, busy: Set<string>): boolean {
  return (
    !!a &&
    a.queueStatus === 'logged_in' &&
    a.registered &&
    !a.dnd &&
    a.presence === 'available' &&
    !busy.has(a.extension)
  );
}

/** Inputs of {@link queueFigures}. */
export interface QueueInputs {
  queue: string;
  name: string | null;
  /** The queue's agents (extension numbers). */
  members: string[];
  agents: Map<string, AgentState>;
  calls: ActiveCall[];
  busy: Set<string>;
  /** When each waiting call was first seen waiting, ms, by callId. */
  waitingSince: Map<string, number>;
  counts: DayCounts;
  day: string;
}

/** The figures of one queue from the live calls and agent states. */
export function queueFigures(i: QueueInputs): QueueFigures {
  const waiting = i.calls.filter((c) => waitsIn(c, i.queue));
  const since = waiting.map((c) => i.waitingSince.get(c.callId)).filter((t): t is number => t !== undefined);
  const oldest = since.length ? Math.min(...since) : null;
  const agents = i.members.map((m) => i.agents.get(m));
  return {
    queue: i.queue,
    name: i.name,
    waiting: waiting.length,
    longestWaitingSince: oldest === null ? null : new Date(oldest).toISOString(),
    agents: i.members.length,
    agentsLoggedIn: agents.filter((a) => a?.queueStatus === 'logged_in').length,
    agentsAvailable: agents.filter((a) => isAvailable(a, i.busy)).length,
    answeredToday: i.counts.answered,
    abandonedToday: i.counts.abandoned,
    day: i.day,
  };
}

/** The full `queue.stats` data at `at`. */
export function statsAt(f: QueueFigures, at: number): QueueStats {
  const wait = f.longestWaitingSince ? Math.max(0, (at - Date.parse(f.longestWaitingSince)) / 1000) : 0;
  return { ...f, longestWaitSeconds: Math.round(wait * 10) / 10, at: new Date(at).toISOString() };
}

/** The `queue.stats` event of a snapshot. */
export function queueStatsEvent(stats: QueueStats, members: string[]): NewEvent {
  const { longestWaitSeconds: _w, at: _a, ...figures } = stats;
  return {
    id: eventId('queue.stats', stats.queue, `${stats.at}|${JSON.stringify(figures)}`),
    type: 'queue.stats',
    occurredAt: new Date(stats.at),
    extensions: [...members].sort(),
    dids: [],
    queues: [stats.queue],
    data: stats,
  };
}
