import { eventId, type CdrParty, type NewEvent, type Party, type PartyKind } from '@3cx-relay/events';
import { didFilterValues } from '../normalize-did.js';
import { cdrSide, type CdrRow } from './cdr-row.js';

/** How CDR sides are read into events. */
export interface CdrReadOptions {
  /** `PBX_TRUNK_DIDS`: the DID of a trunk DN, when 3CX gives none. */
  trunkDids: Record<string, string>;
  /** `PBX_DID_COUNTRY`: DIDs are also given in E.164 for this country. */
  didCountry?: string | undefined;
}

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

/**
 * The dialled number of a side, as 3CX stored it: the `inbound_routing` participant's number
 * (the DID of a trunk call, [OFFICIAL] CDR guide), an outside party's trunk DID, else the
 * configured DID of its trunk (`PBX_TRUNK_DIDS`).
 */
export function didOf(side: CdrParty, trunkDids: Record<string, string>): string | null {
  if (side.entityType === 'inbound_routing') return side.dnNumber ?? side.phoneNumber;
  if (side.entityType !== 'external_line') return null;
  return side.trunkDid ?? (side.dnNumber ? (trunkDids[side.dnNumber] ?? null) : null);
}

/** The filter fields of a set of CDR sides: extensions, DIDs (E.164 and raw), queues, departments. */
export interface CdrFilterFields {
  extensions: string[];
  dids: string[];
  queues: string[];
  departments: string[];
}

/** Filter fields of a set of CDR sides. */
export function filterFields(sides: CdrParty[], o: CdrReadOptions): CdrFilterFields {
  const extensions = new Set<string>();
  const dids = new Set<string>();
  const queues = new Set<string>();
  const departments = new Set<string>();
  for (const s of sides) {
    if (s.entityType === 'extension' && s.dnNumber) extensions.add(s.dnNumber);
    if (s.entityType === 'queue' && s.dnNumber) queues.add(s.dnNumber);
    if (s.groupName) departments.add(s.groupName);
    // An outside party on an outbound call carries the trunk's DID too: not a dialled number.
    const did = s.entityType === 'inbound_routing' || s.isIncoming !== false ? didOf(s, o.trunkDids) : null;
    for (const d of didFilterValues(did, o.didCountry)) dids.add(d);
  }
  return { extensions: [...extensions], dids: [...dids], queues: [...queues], departments: [...departments] };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The `cdr.created` event of one row; its id depends only on the row's `cdr_id`. */
export function cdrCreatedEvent(row: CdrRow, o: CdrReadOptions): NewEvent {
  const source = cdrSide(row, 'source');
  const destination = cdrSide(row, 'destination');
  return {
    id: eventId('cdr.created', row.cdr_id, 'created'),
    type: 'cdr.created',
    occurredAt: row.cdr_ended_at ?? new Date(),
    callId: null,
    callHistoryId: row.call_history_id,
    ...filterFields([source, destination], o),
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
