import { CDR_COLUMNS } from '../cdr/cdr-row.js';

/** `public.cdroutput` with its 42 columns ([FIELD] DDL / [OFFICIAL S7] guide). */
export function cdroutputDdl(): string {
  const cols = Object.entries(CDR_COLUMNS).map(
    ([name, type]) => `  ${name} ${type === 'varchar' ? 'character varying' : type}`,
  );
  return (
    `CREATE TABLE public.cdroutput (\n${cols.join(',\n')},\n  CONSTRAINT cdroutput_pkey PRIMARY KEY (cdr_id)\n);\n` +
    'CREATE INDEX cdroutput_call_history_id_idx ON public.cdroutput (call_history_id);\n' +
    'CREATE INDEX cdroutput_cdr_started_at_idx ON public.cdroutput (cdr_started_at);\n'
  );
}

/**
 * `public.s_voicemail`, one row per recorded message, with the columns integrators read on
 * 20.0.9 ([FIELD] field review §1.13). Types are [INFERRED] where no source gives them, except
 * `heard` and `removed`, which tools compare with `''` and `'0'` (text). `cdr_participant_id` is
 * the `cdroutput.destination_participant_id` of the row that landed in the mailbox.
 */
export const VOICEMAIL_DDL = `
CREATE TABLE public.s_voicemail (
  id serial PRIMARY KEY, wav_file character varying, caller character varying, caller_name character varying,
  callee character varying, duration integer, created_time timestamp, heard character varying,
  heard_time timestamp, forwarded_by character varying, forwarded_to character varying, crm_contact text,
  transcription text, removed character varying, cdr_participant_id uuid
);
`;

/** The legacy call-log tables still present in V20 ([FIELD] TypeORM entities, v20.0.8 extras [SECONDARY]). */
export const LEGACY_DDL = `
CREATE TABLE public.cl_calls (
  id integer PRIMARY KEY, start_time timestamptz, end_time timestamptz, is_answered boolean,
  ringing_dur interval, talking_dur interval, q_wait_dur interval,
  call_history_id uuid, duplicated boolean DEFAULT false, migrated boolean DEFAULT false
);
CREATE TABLE public.cl_party_info (
  id integer PRIMARY KEY, dn_type integer, dn character varying(255), caller_number character varying(255),
  display_name character varying(255), dn_class integer DEFAULT 0, firstlastname character varying(255),
  did_number character varying(255), crm_contact character varying(255)
);
CREATE TABLE public.cl_participants (
  id integer PRIMARY KEY, call_id integer, info_id integer REFERENCES public.cl_party_info (id), role integer DEFAULT 1,
  is_inbound boolean, end_status integer, forward_reason integer, failure_reason integer,
  start_time timestamptz, answer_time timestamptz, end_time timestamptz, billing_code character varying(20),
  billing_ratename character varying(255), billing_rate numeric, billing_cost numeric, billing_duration interval,
  recording_url character varying(511), billing_group character varying(255)
);
CREATE TABLE public.cl_segments (
  id integer PRIMARY KEY, call_id integer, seq_order integer, seq_group integer,
  src_part_id integer REFERENCES public.cl_participants (id), dst_part_id integer REFERENCES public.cl_participants (id),
  start_time timestamptz, end_time timestamptz, type integer, action_id integer, action_party_id integer,
  call_history_id uuid
);
CREATE TABLE public.callcent_queuecalls (
  idcallcent_queuecalls serial PRIMARY KEY, q_num character varying, time_start timestamp, time_end timestamp,
  ts_waiting interval, ts_polling interval, ts_servicing interval, ts_locating interval,
  count_polls integer, count_dialed integer, count_rejected integer, count_dials_timed integer,
  reason_noanswercode integer, reason_failcode integer, reason_noanswerdesc character varying,
  reason_faildesc character varying, call_history_id character varying, q_cal character varying,
  from_userpart character varying, from_displayname character varying, to_dialednum character varying,
  to_dn character varying, to_dntype integer, cb_num character varying, call_result text,
  deal_status integer, is_visible boolean, is_agent boolean
);
`;
