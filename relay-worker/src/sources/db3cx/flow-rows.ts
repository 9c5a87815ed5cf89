import { cdrSide, type CdrRow } from './cdr-row.js';

/*
 * How the rows of one call flow read. 3CX writes one row per segment; some are not the caller's
 * path: queue and ring-group polls (children with `originating_cdr_id`), a supervisor's
 * barge-in rows, and the `MakeCall` row that starts a click-to-call ([FIELD] field review §1.4).
 */

/** A click-to-call's first row: from the `MakeCall` service (entity `ivr`) to the calling extension. */
export const isMakeCall = (r: CdrRow) => r.source_dn_number === 'MakeCall';
/** A supervisor listening in, whispering or barging in (`barge_in`, `barge_in_listen`, `barge_in_whisper`). */
export const isBargeIn = (r: CdrRow) => (r.creation_method ?? '').startsWith('barge_in');
/** A row into a mailbox (`voicemail`; `vmail_console` is the voicemail menu). */
export const isMailbox = (r: CdrRow) =>
  r.destination_entity_type === 'voicemail' || r.destination_entity_type === 'vmail_console';
/** A poll of a queue or ring group (a child row). */
export const isPoll = (r: CdrRow) => r.originating_cdr_id !== null;

const endOf = (r: CdrRow) => r.cdr_ended_at?.getTime() ?? r.cdr_started_at?.getTime() ?? 0;

/** The rows of the caller's own path, oldest first. */
export function mainPath(rows: CdrRow[]): CdrRow[] {
  return rows.filter((r) => !isPoll(r) && !isBargeIn(r) && !isMakeCall(r));
}

/** The main-path row that ended last: where the call ended. */
export function lastMainRow(rows: CdrRow[]): CdrRow | undefined {
  return mainPath(rows).reduce<CdrRow | undefined>((a, r) => (!a || endOf(r) >= endOf(a) ? r : a), undefined);
}

/**
 * Rows in which a person answered, by answer time: an extension or an outside party, never a
 * queue, IVR, route point or mailbox (their pick-ups are prompts and music), nor a supervisor's
 * barge-in or a click-to-call's own phone.
 */
export function personAnswers(rows: CdrRow[]): CdrRow[] {
  return rows
    .filter((r) => r.cdr_answered_at && !isBargeIn(r) && !isMakeCall(r) && !isMailbox(r))
    .filter((r) => ['extension', 'external_line'].includes(r.destination_entity_type as string))
    .sort((a, b) => a.cdr_answered_at!.getTime() - b.cdr_answered_at!.getTime());
}

/** The extension on the PBX side of an answered row: its destination, else (calls out) its source. */
export function pbxPerson(r: CdrRow): { dn: string; department: string | null } | null {
  for (const side of ['destination', 'source'] as const) {
    const s = cdrSide(r, side);
    if (s.entityType === 'extension' && s.dnNumber) return { dn: s.dnNumber, department: s.groupName };
  }
  return null;
}

/**
 * Whether a flow's rows are complete: every row has ended and every row another one continues
 * in (`continued_in_cdr_id`) or branches from (`originating_cdr_id`) is present.
 */
export function isFlowComplete(rows: CdrRow[]): boolean {
  const ids = new Set(rows.map((r) => r.cdr_id));
  return rows.every(
    (r) =>
      r.cdr_ended_at !== null &&
      (!r.continued_in_cdr_id || ids.has(r.continued_in_cdr_id)) &&
      (!r.originating_cdr_id || ids.has(r.originating_cdr_id)),
  );
}

/** True when a row the flow refers to (continued in, branched from, based on) is not among `rows`. */
export function hasMissingRows(rows: CdrRow[]): boolean {
  const ids = new Set(rows.map((r) => r.cdr_id));
  return rows.some((r) =>
    [r.continued_in_cdr_id, r.originating_cdr_id, r.base_cdr_id].some((id) => id && !ids.has(id)),
  );
}

const HUNG_UP = ['src_participant_terminated', 'dst_participant_terminated', 'rejected', 'failed'];

/**
 * Whether the call is over as far as these rows tell: the row that ended last ended the call
 * (someone hung up or was refused), rather than handing it on (`continued_in`, `redirected`) or
 * losing a poll to another agent (`completed_elsewhere`). Rows a purge deleted leave such a flow
 * incomplete for good; one whose last row hands on may still be running.
 */
export function isCallOver(rows: CdrRow[]): boolean {
  if (!rows.length || rows.some((r) => r.cdr_ended_at === null)) return false;
  const last = rows.reduce((a, r) => (endOf(r) >= endOf(a) ? r : a));
  if (last.continued_in_cdr_id) return false;
  return (
    HUNG_UP.includes(last.termination_reason ?? '') ||
    (last.termination_reason === 'cancelled' &&
      last.termination_reason_details === 'terminated_by_originator')
  );
}
