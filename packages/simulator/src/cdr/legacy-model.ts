import type { CdrRow } from './cdr-row.js';

/** `cl_party_info.dn_type` codes: 0/1/2 [SECONDARY]; the rest [INFERRED]. */
const LEGACY_DN_TYPE: Record<string, number> = {
  extension: 0,
  provider: 1,
  ring_group_ring_all: 2,
  ring_group_hunt: 2,
  queue: 4,
  ivr: 6,
  script: 14,
};

/** One participant of a call in the legacy `cl_participants` + `cl_party_info` shape. */
export interface LegacyParty {
  infoId: number;
  participantId: number;
  uuid: string;
  dnType: number;
  dn: string;
  callerNumber: string;
  displayName: string;
  didNumber: string | null;
  isInbound: boolean;
  external: boolean;
  start: Date;
  answer: Date | null;
  end: Date;
}

/** One `cl_segments` row. */
export interface LegacySegment {
  id: number;
  seqOrder: number;
  seqGroup: number;
  src: LegacyParty;
  dst: LegacyParty;
  start: Date;
  end: Date;
  /** 1 ringing, 2 connected ([SECONDARY]). */
  type: 1 | 2;
  /** 1 on the main path, 5 on queue/ring-group polls ([INFERRED]). */
  actionId: number;
  talkMs: number;
  row: CdrRow;
}

/** One finished call in the legacy tables' shape. */
export interface LegacyCall {
  id: number;
  start: Date;
  end: Date;
  isAnswered: boolean;
  ringingMs: number;
  talkingMs: number;
  qWaitMs: number;
  callHistoryId: string;
  parties: LegacyParty[];
  segments: LegacySegment[];
}

/** Id counters shared by all calls (serial columns of the legacy tables). */
export interface LegacyIds {
  call: number;
  party: number;
  segment: number;
}

/** Derives the legacy rows of a call from its cdroutput rows. */
export function deriveLegacy(rows: CdrRow[], ids: LegacyIds): LegacyCall {
  const parties = new Map<string, LegacyParty>();
  const party = (row: CdrRow, side: 'source' | 'destination'): LegacyParty => {
    const uuid = row[`${side}_participant_id`] as string;
    const existing = parties.get(uuid);
    const start = row.cdr_started_at as Date;
    const end = row.cdr_ended_at ?? start;
    if (existing) {
      existing.end = end > existing.end ? end : existing.end;
      existing.answer ??= row.cdr_answered_at;
      return existing;
    }
    const p: LegacyParty = {
      infoId: ++ids.party,
      participantId: ids.party,
      uuid,
      dnType: LEGACY_DN_TYPE[row[`${side}_dn_type`] ?? ''] ?? 0,
      dn: row[`${side}_dn_number`] ?? '',
      callerNumber: row[`${side}_participant_phone_number`] ?? '',
      displayName: row[`${side}_participant_name`] ?? '',
      didNumber: row[`${side}_participant_trunk_did`],
      isInbound: Boolean(row[`${side}_participant_is_incoming`]),
      external: row[`${side}_entity_type`] === 'external_line',
      start,
      answer: row.cdr_answered_at,
      end,
    };
    parties.set(uuid, p);
    return p;
  };
  const segments = rows.map<LegacySegment>((row, i) => {
    const start = row.cdr_started_at as Date;
    const end = row.cdr_ended_at ?? start;
    const answered = row.cdr_answered_at;
    return {
      id: ++ids.segment,
      seqOrder: i + 1,
      seqGroup: row.originating_cdr_id ? 2 : 1,
      src: party(row, 'source'),
      dst: party(row, 'destination'),
      start,
      end,
      type: answered ? 2 : 1,
      actionId: row.originating_cdr_id ? 5 : 1,
      talkMs: answered ? end.getTime() - answered.getTime() : 0,
      row,
    };
  });
  const start = segments[0]?.start ?? new Date();
  const end = new Date(Math.max(...segments.map((s) => s.end.getTime()), start.getTime()));
  const agentAnswers = segments.filter((s) => s.type === 2 && s.row.destination_entity_type === 'extension');
  const firstAnswer = agentAnswers[0]?.row.cdr_answered_at ?? null;
  const queueRow = rows.find((r) => r.destination_entity_type === 'queue');
  return {
    id: ++ids.call,
    start,
    end,
    isAnswered: agentAnswers.length > 0 || segments.some((s) => s.type === 2 && s.dst.external),
    ringingMs: (firstAnswer ?? end).getTime() - start.getTime(),
    talkingMs: firstAnswer ? end.getTime() - firstAnswer.getTime() : 0,
    qWaitMs: queueRow
      ? (queueRow.cdr_ended_at as Date).getTime() - (queueRow.cdr_started_at as Date).getTime()
      : 0,
    callHistoryId: rows[0]?.call_history_id ?? '',
    parties: [...parties.values()],
    segments,
  };
}
