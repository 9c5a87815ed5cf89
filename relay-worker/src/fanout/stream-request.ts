import { filterFromQuery, type EventFilter } from '../delivery/event-filter.js';

/** How a stream connection starts: its filter, and a resume point or a snapshot (or neither: live only). */
export interface StreamStart {
  filter: EventFilter | null;
  /** Replay stored events after this sequence first. */
  since: bigint | null;
  /** Send the live state first, then the events after its sequence. */
  snapshot: boolean;
}

const SEQUENCE = /^\d{1,19}$/;

/**
 * Reads a stream request: filters (`types`, `extensions`, `dids`, `queues`, `departments`), `since` (or SSE's
 * `Last-Event-ID`, which wins: it is where a reconnecting EventSource really is) and `snapshot`.
 * A resume point excludes a snapshot: the client already holds the state up to it.
 */
export function parseStreamRequest(
  query: Record<string, string[] | string | undefined>,
  lastEventId: string | null,
  o: { snapshotByDefault: boolean; offersSnapshot: boolean },
): StreamStart | { error: string } {
  const one = (k: string) => {
    const v = query[k];
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  const sinceText = lastEventId?.trim() || one('since');
  if (sinceText !== undefined && !SEQUENCE.test(sinceText))
    return { error: `${lastEventId ? 'Last-Event-ID' : 'since'} must be an event sequence` };
  const snapshotText = one('snapshot');
  if (snapshotText !== undefined && !/^(true|false|1|0)$/.test(snapshotText))
    return { error: 'snapshot must be true or false' };
  const since = sinceText === undefined ? null : BigInt(sinceText);
  const asked = snapshotText === undefined ? null : snapshotText === 'true' || snapshotText === '1';
  if (asked && since !== null)
    return { error: 'snapshot and since exclude each other: resume with since alone' };
  const snapshot = since === null && (asked ?? o.snapshotByDefault);
  if (snapshot && !o.offersSnapshot) return { error: 'snapshots are not available on this relay' };
  const f = filterFromQuery(query);
  const empty =
    f.eventTypes.length +
      f.extensions.length +
      f.dids.length +
      f.queues.length +
      (f.departments?.length ?? 0) ===
    0;
  return { filter: empty ? null : f, since, snapshot };
}
