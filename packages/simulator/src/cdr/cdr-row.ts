/**
 * One `public.cdroutput` row: the 42 columns of V20's CDR table with their PostgreSQL
 * types ([FIELD] pgAdmin DDL, matching the [OFFICIAL S7] guide).
 */
export const CDR_COLUMNS = {
  cdr_id: 'uuid',
  call_history_id: 'uuid',
  source_participant_id: 'uuid',
  source_entity_type: 'varchar',
  source_dn_number: 'varchar',
  source_dn_type: 'varchar',
  source_dn_name: 'varchar',
  source_participant_name: 'varchar',
  source_participant_phone_number: 'varchar',
  source_participant_trunk_did: 'varchar',
  source_participant_is_incoming: 'boolean',
  source_participant_is_already_connected: 'boolean',
  source_participant_group_name: 'varchar',
  source_participant_billing_suffix: 'varchar',
  destination_participant_id: 'uuid',
  destination_entity_type: 'varchar',
  destination_dn_number: 'varchar',
  destination_dn_type: 'varchar',
  destination_dn_name: 'varchar',
  destination_participant_name: 'varchar',
  destination_participant_phone_number: 'varchar',
  destination_participant_trunk_did: 'varchar',
  destination_participant_is_incoming: 'boolean',
  destination_participant_is_already_connected: 'boolean',
  destination_participant_group_name: 'varchar',
  destination_participant_billing_suffix: 'varchar',
  base_cdr_id: 'uuid',
  originating_cdr_id: 'uuid',
  creation_method: 'varchar',
  creation_forward_reason: 'varchar',
  termination_reason: 'varchar',
  terminated_by_participant_id: 'uuid',
  continued_in_cdr_id: 'uuid',
  cdr_started_at: 'timestamptz',
  cdr_ended_at: 'timestamptz',
  cdr_answered_at: 'timestamptz',
  termination_reason_details: 'varchar',
  processed: 'boolean',
  migrated: 'boolean',
  main_call_history_id: 'uuid',
  source_presentation: 'varchar',
  offload_id: 'bigint',
} as const;

export type CdrColumn = keyof typeof CDR_COLUMNS;

type SqlValue<T extends string> = T extends 'boolean'
  ? boolean | null
  : T extends 'timestamptz'
    ? Date | null
    : T extends 'bigint'
      ? number | null
      : string | null;

/** A cdroutput row as the simulator holds it before writing. */
export type CdrRow = { -readonly [K in CdrColumn]: SqlValue<(typeof CDR_COLUMNS)[K]> };

/** The side of a CDR (source or destination) before it is spread into `source_*` / `destination_*`. */
export interface CdrParty {
  participantId: string;
  entityType: string;
  dnNumber: string;
  dnType: string;
  dnName: string;
  participantName: string;
  phoneNumber: string;
  trunkDid: string | null;
  isIncoming: boolean;
  isAlreadyConnected: boolean;
  groupName: string | null;
}

/** Fills the 12 columns of one side of a row. */
export function sideColumns(prefix: 'source' | 'destination', p: CdrParty): Partial<CdrRow> {
  return {
    [`${prefix}_participant_id`]: p.participantId,
    [`${prefix}_entity_type`]: p.entityType,
    [`${prefix}_dn_number`]: p.dnNumber,
    [`${prefix}_dn_type`]: p.dnType,
    [`${prefix}_dn_name`]: p.dnName,
    [`${prefix}_participant_name`]: p.participantName,
    [`${prefix}_participant_phone_number`]: p.phoneNumber,
    [`${prefix}_participant_trunk_did`]: p.trunkDid,
    [`${prefix}_participant_is_incoming`]: p.isIncoming,
    [`${prefix}_participant_is_already_connected`]: p.isAlreadyConnected,
    [`${prefix}_participant_group_name`]: p.groupName,
    [`${prefix}_participant_billing_suffix`]: null,
  };
}
