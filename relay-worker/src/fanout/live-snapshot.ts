import type { ActiveCall } from '@3cx-relay/events';
import type { EventFilter } from '../delivery/event-filter.js';

/** The live state and the newest event sequence it includes. */
export interface LiveSnapshot {
  calls: ActiveCall[];
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

/** The `snapshot` message of a stream (see `snapshotMessageSchema` in @3cx-relay/events). */
export function snapshotMessage(s: LiveSnapshot, filter: EventFilter | null) {
  return {
    kind: 'snapshot',
    sequence: s.sequence.toString(),
    takenAt: s.takenAt.toISOString(),
    source: s.source,
    activeCalls: s.calls.filter((c) => callMatches(filter, c)),
    queues: [],
    agents: [],
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
    if (s.callControl && s.calls.isLive()) {
      return s.callControl.exclusive(() => ({
        calls: s.calls.activeCalls(),
        source: 'callcontrol' as const,
        sequence: s.position(),
        takenAt: new Date(),
      }));
    }
    const sequence = s.position();
    const calls = await s.calls.fallbackCalls();
    return { calls, source: 'xapi', sequence, takenAt: new Date() };
  };
}
