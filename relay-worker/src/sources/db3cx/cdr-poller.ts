import type pg from 'pg';
import type { NewEvent } from '@3cx-relay/events';
import { CDR_SELECT, type CdrRow } from './cdr-row.js';
import { cdrCreatedEvent, type CdrReadOptions } from './cdr-events.js';
import type { FlowRowCache } from './flow-row-cache.js';
import { hasMissingRows, isCallOver, isFlowComplete } from './flow-rows.js';
import { summarizeCallFlow } from './summarize-call-flow.js';
import { keyMinus, type CdrCursor } from './cdr-cursor.js';

export interface CdrPollerOptions extends CdrReadOptions {
  /** Quoted or plain table name, validated by the config (e.g. `cdroutput`). */
  table: string;
  /** Re-read window below the cursor for late commits and ties (ms). */
  overlapMs: number;
  /** A flow is summarized once it is complete and unchanged for this long (ms). */
  quietMs: number;
  /**
   * A flow with rows missing (deleted before the relay read them) whose call is over is
   * summarized, `partial: true`, once unchanged for this long (ms, default 60 s).
   */
  partialWaitMs?: number;
  /** A flow still incomplete after this long is summarized anyway, `partial: true` (ms, default 2 h). */
  maxFlowAgeMs?: number;
  /** Rows of pending flows already read (kept when a purge deletes them); one per source. */
  rowCache?: FlowRowCache;
  batchSize?: number;
  /** Looks up the live 3CX callid of a finished flow, if the relay saw it. */
  callIdFor?: (rows: CdrRow[]) => string | null;
}

/** What one poll produced: events to append and the cursor to store after appending them. */
export interface PollResult {
  events: NewEvent[];
  cursor: CdrCursor;
  /** True when the batch was full and another poll should follow. */
  more: boolean;
}

/**
 * Events built between two turns of the event loop. A busy second's poll builds ~350 events
 * and summarizes ~100 flows: 10-25 ms of JavaScript in one stretch, during which the live path's
 * answers from 3CX (participant GETs) waited in the socket. In slices of this many, they wait
 * a millisecond or two.
 */
const YIELD_EVERY = 25;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

const cmpRow = (a: CdrRow, b: CdrRow) =>
  a.ended_key < b.ended_key ? -1 : a.ended_key > b.ended_key ? 1 : a.cdr_id < b.cdr_id ? -1 : 1;

/**
 * One poll of `cdroutput`, pure apart from its one or two read-only queries (new rows; then the
 * flows they touch and the flows quiet long enough to summarize, together).
 * The predicate `cdr_ended_at >= cursor - overlap` is index-friendly and independent of the
 * cdr_id counter (which resets on a PBX restart, so ids are not ordered); rows in the overlap
 * window already emitted are excluded by id. Every flow touched by a new row is read in full,
 * so rows 3CX wrote long after they ended (a flow committed at its end) are not lost.
 */
export async function pollCdrs(db: pg.Pool, cursor: CdrCursor, o: CdrPollerOptions): Promise<PollResult> {
  const batch = o.batchSize ?? 1000;
  const seenIds = cursor.seen.map(([id]) => id);
  // One query even when nothing is new (the usual case): the database clock comes with an
  // empty result too, so an idle PBX costs one query per poll.
  const res = await db.query<(CdrRow & { db_now: Date }) | { cdr_id: null; db_now: Date }>(
    `SELECT c.*, n.db_now FROM (SELECT now() AS db_now) n
     LEFT JOIN LATERAL (
       SELECT ${CDR_SELECT} FROM ${o.table}
       WHERE cdr_ended_at >= $1::timestamptz - make_interval(secs => $2) AND NOT (cdr_id = ANY($3::uuid[]))
       ORDER BY cdr_ended_at, cdr_id LIMIT $4
     ) c ON true
     ORDER BY c.cdr_ended_at, c.cdr_id`,
    [cursor.endedAt, o.overlapMs / 1000, seenIds, batch],
  );
  const dbNow = res.rows[0]!.db_now.getTime();
  const anchors = res.rows.filter((r): r is CdrRow & { db_now: Date } => r.cdr_id !== null);
  const flowIds = [...new Set(anchors.map((r) => r.call_history_id))];
  const pending = { ...cursor.pending };
  for (const id of flowIds) pending[id] = dbNow;
  // The flows of the new rows and the flows quiet long enough to summarize, in one query.
  const due = Object.entries(pending)
    .filter(([, at]) => dbNow - at >= o.quietMs)
    .map(([id]) => id);
  const read = flowIds.length || due.length ? await readFlows(db, o.table, [...flowIds, ...due]) : [];
  const touched = new Set(flowIds);
  const flowRows = read.filter((r) => touched.has(r.call_history_id));
  const seen = new Set(seenIds);
  const fresh = new Map<string, CdrRow>();
  for (const r of [...anchors, ...flowRows])
    if (r.cdr_ended_at && !seen.has(r.cdr_id)) fresh.set(r.cdr_id, r);
  const events: NewEvent[] = [];
  for (const r of [...fresh.values()].sort(cmpRow)) {
    events.push(cdrCreatedEvent(r, o));
    if (events.length % YIELD_EVERY === 0) await yieldToIo();
  }
  o.rowCache?.remember(flowRows);

  let endedAt = cursor.endedAt;
  for (const r of anchors) if (r.ended_key > endedAt) endedAt = r.ended_key;
  const floor = keyMinus(endedAt, o.overlapMs);
  const nextSeen = new Map(cursor.seen);
  for (const r of anchors) nextSeen.set(r.cdr_id, r.ended_key);

  const dueRows = read.filter((r) => !touched.has(r.call_history_id));
  events.push(...(await completeFlows(pending, due, dueRows, dbNow, o)));
  return {
    events,
    more: anchors.length >= batch,
    cursor: { endedAt, seen: [...nextSeen].filter(([, k]) => k >= floor), pending },
  };
}

async function readFlows(db: pg.Pool, table: string, ids: string[]): Promise<CdrRow[]> {
  const res = await db.query<CdrRow>(
    `SELECT ${CDR_SELECT} FROM ${table} WHERE call_history_id = ANY($1::uuid[])`,
    [ids],
  );
  return res.rows;
}

/**
 * Summarizes the pending flows that have been quiet long enough (`due`, their rows as just
 * read in `rows`): complete ones (`partial` when a
 * row they refer to was never read), incomplete ones whose call is over after `partialWaitMs`,
 * and any after `maxFlowAgeMs`. Rows read earlier count even when 3CX has deleted them since.
 * Mutates `pending`.
 */
async function completeFlows(
  pending: Record<string, number>,
  due: string[],
  rows: CdrRow[],
  now: number,
  o: CdrPollerOptions,
): Promise<NewEvent[]> {
  if (!due.length) return [];
  o.rowCache?.remember(rows);
  const byFlow = new Map<string, Map<string, CdrRow>>();
  for (const r of [...due.flatMap((id) => o.rowCache?.rowsOf(id) ?? []), ...rows]) {
    const flow = byFlow.get(r.call_history_id) ?? new Map<string, CdrRow>();
    byFlow.set(r.call_history_id, flow.set(r.cdr_id, r));
  }
  const out: NewEvent[] = [];
  for (const [i, id] of due.entries()) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToIo();
    const flow = [...(byFlow.get(id)?.values() ?? [])];
    const quiet = now - pending[id]!;
    const complete = isFlowComplete(flow);
    const giveUp =
      quiet >= (o.maxFlowAgeMs ?? 2 * 3600_000) || (quiet >= (o.partialWaitMs ?? 60_000) && isCallOver(flow));
    if (flow.length && !complete && !giveUp) continue;
    if (flow.length) {
      const partial = !complete || hasMissingRows(flow);
      out.push(summarizeCallFlow(flow, o, o.callIdFor?.(flow) ?? null, partial));
    }
    delete pending[id];
    o.rowCache?.forget(id);
  }
  return out;
}
