import type { ActiveCall, AgentState, QueueStats } from '@3cx-relay/events';
import { MATCH_ALL, matchesFilter, type EventFilter } from '../delivery/event-filter.js';

/** A queue's figures with its agents (the extensions its `queue.stats` events carry). */
export interface QueueEntry {
  stats: QueueStats;
  members: string[];
}

/** Agent and queue state for snapshots (sources/agents/start-presence.ts). */
export interface PresenceState {
  agentStates(): AgentState[];
  queueEntries(): QueueEntry[];
}

/** The live state and the newest event sequence it includes. */
export interface LiveSnapshot {
  calls: ActiveCall[];
  /** Queue figures and agent states as of `takenAt` (their events are in the log too). */
  queues: QueueEntry[];
  agents: AgentState[];
  source: 'callcontrol' | 'xapi';
  /** Every event up to this sequence is reflected in `calls`; none after it. */
  sequence: bigint;
  takenAt: Date;
}

const overlaps = (wanted: readonly string[], have: readonly string[]) =>
  wanted.length === 0 || have.some((v) => wanted.includes(v));

/** Whether a call passes a stream's extension, DID and queue filters (types filter events only). */
export function callMatches(filter: EventFilter | null, c: ActiveCall): boolean {
  if (!filter) return true;
  return (
    overlaps(filter.extensions, c.extensions) &&
    overlaps(filter.dids, c.did ? [c.did] : []) &&
    overlaps(filter.queues, c.queue ? [c.queue] : []) &&
    overlaps(filter.departments ?? [], []) // live calls carry no department
  );
}

/**
 * The `snapshot` message of a stream (see `snapshotMessageSchema` in @3cx-relay/events).
 * Queue figures and agent states are opt-in like their events: a queue is in it when the
 * stream's filters would pass its `queue.stats`, an agent when they would pass its
 * `agent.status_changed`.
 */
export function snapshotMessage(s: LiveSnapshot, filter: EventFilter | null) {
  const f = filter ?? MATCH_ALL;
  return {
    kind: 'snapshot',
    sequence: s.sequence.toString(),
    takenAt: s.takenAt.toISOString(),
    source: s.source,
    activeCalls: s.calls.filter((c) => callMatches(filter, c)),
    queues: s.queues
      .filter((q) =>
        matchesFilter(f, { type: 'queue.stats', extensions: q.members, dids: [], queues: [q.stats.queue] }),
      )
      .map((q) => q.stats),
    agents: s.agents.filter((a) =>
      matchesFilter(f, {
        type: 'agent.status_changed',
        extensions: [a.extension],
        dids: [],
        queues: a.queues,
      }),
    ),
  };
}

/** Where snapshots come from. */
export interface SnapshotSources {
  /** Runs `fn` between two Call Control tasks, when every state change so far has its events appended. */
  callControl: { exclusive<T>(fn: () => T): Promise<T> } | undefined;
  /** Live state and its XAPI fallback (sources/xapi/active-calls-with-fallback.ts). */
  calls: { activeCalls(): ActiveCall[]; isLive(): boolean; fallbackCalls(): Promise<ActiveCall[]> };
  /** The newest event sequence handed to the fan-out (the event tail's). */
  position(): bigint;
  /** Agent and queue state, when it runs. */
  presence?: PresenceState | undefined;
}

/**
 * Takes snapshots. While Call Control is up, inside its task queue: the state and the
 * position are read together at a moment when every state change has been appended and handed
 * to the fan-out, and no later change has happened, so the state is exactly "all events up to
 * `sequence`". Otherwise from XAPI (`source: 'xapi'`, position read first): about a second
 * old and not tied to the sequence, so a change may show both in it and as an event.
 */
export function snapshotProvider(s: SnapshotSources): () => Promise<LiveSnapshot> {
  return async () => {
    const presence = () => ({
      queues: s.presence?.queueEntries() ?? [],
      agents: s.presence?.agentStates() ?? [],
    });
    if (s.callControl && s.calls.isLive()) {
      return s.callControl.exclusive(() => ({
        calls: s.calls.activeCalls(),
        ...presence(),
        source: 'callcontrol' as const,
        sequence: s.position(),
        takenAt: new Date(),
      }));
    }
    const sequence = s.position();
    const calls = await s.calls.fallbackCalls();
    return { calls, ...presence(), source: 'xapi', sequence, takenAt: new Date() };
  };
}
