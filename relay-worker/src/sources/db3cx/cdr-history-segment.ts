import type { CallHistoryParty, CallHistorySegment } from '@3cx-relay/events';
import { nonEmptyText } from './cdr-row.js';

/** A `cdroutput` row as the call-history reader selects it (uuids as text, timestamps as Date). */
export interface CdrHistoryRow {
  cdr_id: string;
  call_history_id: string | null;
  cdr_started_at: Date;
  cdr_answered_at: Date | null;
  cdr_ended_at: Date;
  [column: string]: unknown;
}

const SIDE_COLUMNS = [
  'dn_number',
  'dn_type',
  'dn_name',
  'entity_type',
  'participant_name',
  'participant_phone_number',
] as const;

/** The SELECT list of the call-history reader. */
export const CDR_HISTORY_SELECT = [
  'cdr_id::text AS cdr_id',
  'call_history_id::text AS call_history_id',
  'cdr_started_at',
  'cdr_answered_at',
  'cdr_ended_at',
  ...(['source', 'destination'] as const).flatMap((side) => SIDE_COLUMNS.map((c) => `${side}_${c}`)),
].join(', ');

/** An ISO 8601 duration as XAPI serialises TimeSpan values (`PT0S`, `PT12.345S`, `PT1H2M3S`). */
export function isoDuration(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Number((total % 60).toFixed(3));
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s}S`;
}

function party(row: CdrHistoryRow, side: 'source' | 'destination'): CallHistoryParty {
  const col = (c: (typeof SIDE_COLUMNS)[number]) => nonEmptyText(row[`${side}_${c}`]);
  return {
    dn: col('dn_number'),
    number: col('participant_phone_number'),
    // 3CX leaves participant_name empty on some legs; the DN's own name is the next best label.
    name: col('participant_name') ?? col('dn_name'),
    external: col('entity_type') === 'external_line' || col('dn_type') === 'provider',
  };
}

/**
 * One `cdroutput` row as a call-history segment: `answered` when the row has `cdr_answered_at`,
 * `duration` the talk time from answer to end (`PT0S` unanswered), no XAPI `segmentId`.
 */
export function cdrHistorySegment(row: CdrHistoryRow): CallHistorySegment {
  const talkMs = row.cdr_answered_at ? row.cdr_ended_at.getTime() - row.cdr_answered_at.getTime() : 0;
  return {
    segmentId: null,
    cdrId: row.cdr_id,
    callHistoryId: row.call_history_id,
    startedAt: row.cdr_started_at.toISOString(),
    endedAt: row.cdr_ended_at.toISOString(),
    answered: row.cdr_answered_at !== null,
    duration: isoDuration(talkMs),
    source: party(row, 'source'),
    destination: party(row, 'destination'),
  };
}
