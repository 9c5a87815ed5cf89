import {
  eventId,
  outcomeOf,
  pickDisposition,
  type CdrParty,
  type Direction,
  type Disposition,
  type NewEvent,
  type Party,
} from '@3cx-relay/events';
import { normalizeDid } from '../normalize-did.js';
import { cdrSide, type CdrRow } from './cdr-row.js';
import { didOf, filterFields, partyFromCdr, type CdrReadOptions } from './cdr-events.js';
import { isMailbox, isMakeCall, lastMainRow, mainPath, pbxPerson, personAnswers } from './flow-rows.js';

export { isFlowComplete } from './flow-rows.js';

const seconds = (ms: number) => Math.max(0, Math.round(ms / 100) / 10);
const startOf = (r: CdrRow) => r.cdr_started_at?.getTime() ?? r.cdr_ended_at?.getTime() ?? 0;
const endOf = (r: CdrRow) => r.cdr_ended_at?.getTime() ?? r.cdr_started_at?.getTime() ?? 0;

/** A number as 3CX writes them: digits with an optional leading `+` (no `:` labels, no names). */
const NUMBER = /^\+?[0-9*#]{2,32}$/;

/**
 * The caller. An outside caller's number is the participant's phone number; 3CX's
 * `source_presentation` is the display name shown to the destination ([OFFICIAL] guide, field
 * review §1.10), used as the name, or as the number only when it is one and 3CX gave none. The
 * participant name of an inbound leg is the DID's label (`:Main Line`), not the caller's. A
 * click-to-call's caller is the extension the `MakeCall` row rang.
 */
function callerOf(rows: CdrRow[]): { side: CdrParty; party: Party } {
  const first = rows[0]!;
  if (isMakeCall(first)) {
    const side = cdrSide(first, 'destination');
    return { side, party: partyFromCdr(side) };
  }
  const side = cdrSide(first, 'source');
  if (side.entityType !== 'external_line') return { side, party: partyFromCdr(side) };
  const presentation = first.source_presentation?.trim() || null;
  const numeric = presentation !== null && NUMBER.test(presentation);
  return {
    side,
    party: {
      number: side.phoneNumber ?? (numeric ? presentation : null),
      name: presentation && !numeric && !presentation.startsWith(':') ? presentation : null,
      dn: side.dnNumber,
      kind: 'external',
    },
  };
}

/** Transfers in start order: blind (`transfer`) or attended (`join`), from the extension that had the call. */
function transfersOf(rows: CdrRow[]) {
  const byId = new Map(rows.map((r) => [r.cdr_id, r]));
  return rows
    .filter((r) => r.creation_method === 'transfer' || r.creation_method === 'join')
    .map((r) => {
      const base = r.base_cdr_id ? byId.get(r.base_cdr_id) : undefined;
      return {
        kind: r.creation_method === 'join' ? ('attended' as const) : ('blind' as const),
        from: (base && pbxPerson(base)?.dn) ?? null,
        to: r.destination_dn_number as string | null,
        at: r.cdr_started_at?.toISOString() ?? null,
      };
    });
}

/**
 * Queue callback ([OFFICIAL] guide, [FIELD] dashboards): requested when the queue handed the
 * caller to `QCB`; `answered` when the row that ends with `callback` continues in a row the
 * caller answered, else `failed`.
 */
function callbackOf(rows: CdrRow[]): 'answered' | 'failed' | null {
  const asked = rows.some(
    (r) => r.destination_dn_number === 'QCB' || r.creation_forward_reason === 'callback_requested',
  );
  if (!asked) return null;
  const byId = new Map(rows.map((r) => [r.cdr_id, r]));
  const reached = rows.some(
    (r) =>
      r.termination_reason_details === 'callback' &&
      r.continued_in_cdr_id &&
      byId.get(r.continued_in_cdr_id)?.cdr_answered_at,
  );
  return reached ? 'answered' : 'failed';
}

/** The disposition of a flow (see `pickDisposition` for the precedence). */
function dispositionOf(rows: CdrRow[], answered: boolean): Disposition {
  const last = lastMainRow(rows);
  const dests = rows.map((r) => cdrSide(r, 'destination').entityType ?? '');
  return pickDisposition({
    voicemail: Boolean(last && isMailbox(last) && last.cdr_answered_at),
    busy: /busy/i.test(last?.termination_reason_details ?? ''),
    answered,
    abandoned: dests.includes('queue'),
    missed: dests.some((t) => t === 'extension' || t.startsWith('ring_group')),
  });
}

/** The department of the call: its handler's, else that of the last PBX DN the call reached, else the caller's. */
function departmentOf(rows: CdrRow[], lastAnswer: CdrRow | undefined, caller: CdrParty): string | null {
  if (lastAnswer) return pbxPerson(lastAnswer)?.department ?? null;
  const reached = [...mainPath(rows)]
    .reverse()
    .map((r) => cdrSide(r, 'destination'))
    .find((s) => s.groupName && s.entityType !== 'external_line' && s.entityType !== 'inbound_routing');
  return reached?.groupName ?? (caller.entityType === 'extension' ? caller.groupName : null);
}

/**
 * The `call.completed` summary of one call flow (all rows of a `call_history_id`). `partial`:
 * rows of the flow are missing (purged before the relay read them).
 */
export function summarizeCallFlow(
  rows: CdrRow[],
  o: CdrReadOptions,
  callId: string | null = null,
  partial = false,
): NewEvent {
  const sorted = [...rows].sort((a, b) => startOf(a) - startOf(b));
  const first = sorted[0]!;
  const caller = callerOf(sorted);
  const dests = sorted.filter((r) => !isMakeCall(r)).map((r) => cdrSide(r, 'destination'));
  const outsideDest = dests.find((d) => d.entityType === 'external_line');
  const direction: Direction =
    caller.side.entityType === 'external_line'
      ? 'inbound'
      : outsideDest
        ? 'outbound'
        : caller.side.entityType
          ? 'internal'
          : 'unknown';
  const answers = personAnswers(sorted);
  const answered = answers[0];
  const lastAnswer = answers[answers.length - 1];
  const disposition = dispositionOf(sorted, Boolean(answered));
  const startedAt = new Date(Math.min(...sorted.map(startOf)));
  const endedAt = new Date(Math.max(...sorted.map(endOf)));
  const answeredAt = answered?.cdr_answered_at ?? null;
  const calleeSide = answered
    ? cdrSide(answered, 'destination')
    : (outsideDest ??
      dests.find((d) => d.entityType === 'extension') ??
      dests.find((d) => d.entityType !== 'inbound_routing') ??
      dests[0]!);
  // The DID: the inbound_routing row's number, else the caller's trunk DID, else PBX_TRUNK_DIDS.
  const didRaw =
    direction === 'inbound'
      ? (dests.map((d) => didOf(d, o.trunkDids)).find(Boolean) ?? didOf(caller.side, o.trunkDids))
      : null;
  // Every side: a supervisor barging in or an agent calling back is on the source side.
  const filters = filterFields(
    [caller.side, ...dests, ...sorted.filter((r) => !isMakeCall(r)).map((r) => cdrSide(r, 'source'))],
    o,
  );
  const queueRows = dests.filter((d) => d.entityType === 'queue');
  return {
    id: eventId('call.completed', first.call_history_id, 'completed'),
    type: 'call.completed',
    occurredAt: endedAt,
    callId,
    callHistoryId: first.call_history_id,
    ...filters,
    data: {
      callHistoryId: first.call_history_id,
      mainCallHistoryId: first.main_call_history_id,
      callId,
      direction,
      caller: caller.party,
      callee: partyFromCdr(calleeSide),
      did: didRaw ? normalizeDid(didRaw, o.didCountry) : null,
      didRaw,
      queue: queueRows[0]?.dnNumber ?? null,
      outcome: outcomeOf(disposition),
      disposition,
      startedAt: startedAt.toISOString(),
      answeredAt: answeredAt?.toISOString() ?? null,
      endedAt: endedAt.toISOString(),
      ringDurationSeconds: seconds((answeredAt ?? endedAt).getTime() - startedAt.getTime()),
      talkDurationSeconds: answeredAt ? seconds(endedAt.getTime() - answeredAt.getTime()) : 0,
      answeredBy: answered ? partyFromCdr(cdrSide(answered, 'destination')).number : null,
      handledBy: lastAnswer ? (pbxPerson(lastAnswer)?.dn ?? null) : null,
      queueVisits: queueRows.length,
      transfers: transfersOf(sorted),
      callback: callbackOf(sorted),
      department: departmentOf(sorted, lastAnswer, caller.side),
      partial,
      extensions: filters.extensions,
      cdrIds: sorted.map((r) => r.cdr_id),
    },
  };
}
