import type pg from 'pg';
import type { CallMatch } from './recording-event.js';

/** Slack between the PBX's recording times and the relay's call times, ms. */
const SLACK_MS = 10_000;

/**
 * Finds the call a recording (or voicemail) belongs to in the relay's own event log: a
 * `call.completed` (gives the `call_history_id`) or `call.ended` (the live callid) of the same
 * extensions whose span covers the recording's. No PBX query: this reads the relay's database.
 */
export async function matchCall(
  pool: pg.Pool,
  extensions: string[],
  start: Date,
  end: Date,
): Promise<CallMatch & { complete: boolean }> {
  const none = { callId: null, callHistoryId: null, queue: null, did: null, complete: false };
  if (!extensions.length) return none;
  const res = await pool.query<{
    type: string;
    call_id: string | null;
    call_history_id: string | null;
    data: Record<string, unknown>;
  }>(
    `SELECT type, call_id, call_history_id, data FROM events
      WHERE type IN ('call.completed', 'call.ended') AND extensions && $1::text[]
        AND created_at >= $2::timestamptz - interval '6 hours'
        AND (data->>'startedAt')::timestamptz <= $2::timestamptz + $4 * interval '1 millisecond'
        AND (data->>'endedAt')::timestamptz >= $3::timestamptz - $4 * interval '1 millisecond'
      ORDER BY sequence DESC LIMIT 20`,
    [extensions, start, end, SLACK_MS],
  );
  const completed = res.rows.find((r) => r.type === 'call.completed');
  const ended = res.rows.find((r) => r.type === 'call.ended');
  const best = completed ?? ended;
  if (!best) return none;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    callId: completed?.call_id ?? ended?.call_id ?? null,
    callHistoryId: completed?.call_history_id ?? null,
    queue: str(best.data.queue),
    did: str(best.data.did),
    complete: !!completed,
  };
}
