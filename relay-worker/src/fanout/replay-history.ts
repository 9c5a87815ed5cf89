import type pg from 'pg';
import { DIRECT_ONLY_TYPES } from '../delivery/outbox.js';
import { prunedThrough } from '../delivery/prune-events.js';
import { matchesFilter } from '../delivery/event-filter.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from './event-tail.js';
import type { WsClient } from './ws-hub.js';

const PAGE = 500;

/**
 * Sends a resuming client the events after `since` from the events table, then a `resumed`
 * message; when events after `since` were already pruned (retention), first an explicit
 * `history_lost` message naming the oldest sequence still available. Gaps in the sequence
 * that were never events (rolled-back appends) are not history lost. Waits for the socket to drain between
 * pages so a long replay does not trip the slow-consumer cut. Returns the last sequence sent.
 */
export async function replayHistory(
  pool: pg.Pool,
  client: WsClient,
  since: bigint,
  write: (frame: Buffer) => boolean,
  retentionMs: number,
): Promise<bigint> {
  const enc = client.transport.encoding;
  const send = (msg: { kind: string } & Record<string, unknown>) => write(enc.message(msg));
  const bounds = await pool.query<{ min: string | null; max: string | null }>(
    'SELECT min(sequence)::text AS min, max(sequence)::text AS max FROM events',
  );
  const oldest = bounds.rows[0]?.min ? BigInt(bounds.rows[0].min) : null;
  const newest = bounds.rows[0]?.max ? BigInt(bounds.rows[0].max) : 0n;
  const pruned = await prunedThrough(pool);
  if (pruned !== null && since < pruned) {
    send({
      kind: 'history_lost',
      since: since.toString(),
      prunedThrough: pruned.toString(),
      oldestAvailable: (oldest ?? newest + 1n).toString(),
      retentionDays: retentionMs / 86_400_000,
    });
  }
  let cursor = since;
  let replayed = 0;
  for (;;) {
    const res = await pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE sequence > $1 AND sequence <= $2 ORDER BY events.sequence LIMIT ${PAGE}`,
      [cursor.toString(), newest.toString()],
    );
    for (const row of res.rows) {
      const e = rowToEvent(row);
      cursor = e.sequence;
      if (DIRECT_ONLY_TYPES.includes(e.type) || (client.filter && !matchesFilter(client.filter, e))) continue;
      if (!write(enc.event(e))) return cursor;
      replayed++;
    }
    if (res.rows.length < PAGE) break;
    const s = client.socket as NodeJS.WritableStream & { writableLength: number };
    if (s.writableLength > 256 * 1024) await new Promise((r) => s.once('drain', r));
  }
  send({
    kind: 'resumed',
    since: since.toString(),
    replayed,
    lastSequence: (cursor > since ? cursor : since).toString(),
  });
  return cursor;
}
