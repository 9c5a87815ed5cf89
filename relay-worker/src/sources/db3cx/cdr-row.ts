import type { CdrParty } from '@3cx-relay/events';

/** A `cdroutput` row as the poller selects it (uuids as text, timestamps as Date). */
export interface CdrRow {
  cdr_id: string;
  call_history_id: string;
  main_call_history_id: string | null;
  base_cdr_id: string | null;
  originating_cdr_id: string | null;
  continued_in_cdr_id: string | null;
  creation_method: string | null;
  creation_forward_reason: string | null;
  termination_reason: string | null;
  termination_reason_details: string | null;
  terminated_by_participant_id: string | null;
  source_presentation: string | null;
  cdr_started_at: Date | null;
  cdr_answered_at: Date | null;
  cdr_ended_at: Date | null;
  /** `cdr_ended_at` in full microsecond precision (UTC ISO text), for the cursor. */
  ended_key: string;
  [column: string]: unknown;
}

const SIDE_FIELDS = [
  ['participantId', 'participant_id'],
  ['entityType', 'entity_type'],
  ['dnNumber', 'dn_number'],
  ['dnType', 'dn_type'],
  ['dnName', 'dn_name'],
  ['participantName', 'participant_name'],
  ['phoneNumber', 'participant_phone_number'],
  ['trunkDid', 'participant_trunk_did'],
  ['isIncoming', 'participant_is_incoming'],
  ['isAlreadyConnected', 'participant_is_already_connected'],
  ['groupName', 'participant_group_name'],
  ['billingSuffix', 'participant_billing_suffix'],
] as const;

/** The SELECT list of the poller: every column it maps, uuids cast to text. */
export const CDR_SELECT = [
  'cdr_id::text AS cdr_id',
  'call_history_id::text AS call_history_id',
  'main_call_history_id::text AS main_call_history_id',
  'base_cdr_id::text AS base_cdr_id',
  'originating_cdr_id::text AS originating_cdr_id',
  'continued_in_cdr_id::text AS continued_in_cdr_id',
  'terminated_by_participant_id::text AS terminated_by_participant_id',
  'creation_method',
  'creation_forward_reason',
  'termination_reason',
  'termination_reason_details',
  'source_presentation',
  'cdr_started_at',
  'cdr_answered_at',
  'cdr_ended_at',
  `to_char(cdr_ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ended_key`,
  ...(['source', 'destination'] as const).flatMap((side) =>
    SIDE_FIELDS.map(([, col]) =>
      col === 'participant_id' ? `${side}_${col}::text AS ${side}_${col}` : `${side}_${col}`,
    ),
  ),
].join(', ');

/** A text column's value, or null when it is empty, null or not text. */
export function nonEmptyText(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** One side of a row in the event model's shape. */
export function cdrSide(row: CdrRow, side: 'source' | 'destination'): CdrParty {
  const out: Record<string, unknown> = {};
  for (const [field, col] of SIDE_FIELDS) {
    const v = row[`${side}_${col}`];
    out[field] = typeof v === 'boolean' ? v : nonEmptyText(v);
  }
  return out as CdrParty;
}
