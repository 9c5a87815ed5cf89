import { eventId, type CdrParty, type NewEvent, type Party, type PartyKind } from '@3cx-relay/events';
import { cdrSide, type CdrRow } from './cdr-row.js';

const KIND_BY_ENTITY: Record<string, PartyKind> = {
  extension: 'extension',
  external_line: 'external',
  queue: 'queue',
  ring_group_hunt: 'ring_group',
  ring_group_ring_all: 'ring_group',
  ivr: 'ivr',
  script: 'route_point',
  voicemail: 'voicemail',
  vmail_console: 'voicemail',
};

/** A CDR side as a normalized {@link Party}. */
export function partyFromCdr(side: CdrParty): Party {
  const kind = KIND_BY_ENTITY[side.entityType ?? ''] ?? 'unknown';
  const number = kind === 'external' ? side.phoneNumber : (side.dnNumber ?? side.phoneNumber);
  return { number, name: side.participantName || side.dnName, dn: side.dnNumber, kind };
}

/** The dialled number of a side: 3CX's trunk DID, else the configured DID of its trunk. */
export function didOf(side: CdrParty, trunkDids: Record<string, string>): string | null {
  if (side.entityType !== 'external_line') return null;
  return side.trunkDid ?? (side.dnNumber ? (trunkDids[side.dnNumber] ?? null) : null);
}

/** Filter fields of a set of CDR sides. */
export function filterFields(
  sides: CdrParty[],
  trunkDids: Record<string, string>,
): { extensions: string[]; dids: string[]; queues: string[] } {
  const extensions = new Set<string>();
  const dids = new Set<string>();
  const queues = new Set<string>();
  for (const s of sides) {
    if (s.entityType === 'extension' && s.dnNumber) extensions.add(s.dnNumber);
    if (s.entityType === 'queue' && s.dnNumber) queues.add(s.dnNumber);
    const did = s.isIncoming !== false ? didOf(s, trunkDids) : null;
    if (did) dids.add(did);
  }
  return { extensions: [...extensions], dids: [...dids], queues: [...queues] };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The `cdr.created` event of one row; its id depends only on the row's `cdr_id`. */
export function cdrCreatedEvent(row: CdrRow, trunkDids: Record<string, string>): NewEvent {
  const source = cdrSide(row, 'source');
  const destination = cdrSide(row, 'destination');
  return {
    id: eventId('cdr.created', row.cdr_id, 'created'),
    type: 'cdr.created',
    occurredAt: row.cdr_ended_at ?? new Date(),
    callId: null,
    callHistoryId: row.call_history_id,
    ...filterFields([source, destination], trunkDids),
    data: {
      cdrId: row.cdr_id,
      callHistoryId: row.call_history_id,
      mainCallHistoryId: row.main_call_history_id,
      source,
      destination,
      baseCdrId: row.base_cdr_id,
      originatingCdrId: row.originating_cdr_id,
      continuedInCdrId: row.continued_in_cdr_id,
      creationMethod: row.creation_method,
      creationForwardReason: row.creation_forward_reason,
      terminationReason: row.termination_reason,
      terminationReasonDetails: row.termination_reason_details,
      terminatedByParticipantId: row.terminated_by_participant_id,
      sourcePresentation: row.source_presentation,
      startedAt: iso(row.cdr_started_at),
      answeredAt: iso(row.cdr_answered_at),
      endedAt: iso(row.cdr_ended_at),
    },
  };
}
