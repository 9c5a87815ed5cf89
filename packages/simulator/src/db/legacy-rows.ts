import type { FinishedCall } from '../cdr/history-store.js';

/** Seconds as a PostgreSQL interval literal. */
const iv = (ms: number) => `${Math.max(0, ms) / 1000} seconds`;

/** One INSERT statement with its parameters. */
export interface Statement {
  text: string;
  values: unknown[];
}

function insert(table: string, columns: string[], rows: unknown[][]): Statement {
  const values: unknown[] = [];
  const tuples = rows.map(
    (r) =>
      `(${r
        .map((v) => {
          values.push(v);
          return `$${values.length}`;
        })
        .join(', ')})`,
  );
  return { text: `INSERT INTO public.${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values };
}

/** The legacy-table INSERTs of a finished call (cl_calls, cl_party_info, cl_participants, cl_segments, callcent_queuecalls). */
export function legacyStatements(call: FinishedCall, queueDn: string): Statement[] {
  const l = call.legacy;
  const out: Statement[] = [
    insert(
      'cl_calls',
      [
        'id',
        'start_time',
        'end_time',
        'is_answered',
        'ringing_dur',
        'talking_dur',
        'q_wait_dur',
        'call_history_id',
      ],
      [
        [
          l.id,
          l.start,
          l.end,
          l.isAnswered,
          iv(l.ringingMs),
          iv(l.talkingMs),
          iv(l.qWaitMs),
          l.callHistoryId,
        ],
      ],
    ),
    insert(
      'cl_party_info',
      ['id', 'dn_type', 'dn', 'caller_number', 'display_name', 'firstlastname', 'did_number'],
      l.parties.map((p) => [
        p.infoId,
        p.dnType,
        p.dn,
        p.callerNumber,
        p.displayName,
        p.external ? '' : p.displayName,
        p.didNumber,
      ]),
    ),
    insert(
      'cl_participants',
      [
        'id',
        'call_id',
        'info_id',
        'role',
        'is_inbound',
        'end_status',
        'forward_reason',
        'failure_reason',
        'start_time',
        'answer_time',
        'end_time',
      ],
      l.parties.map((p) => [
        p.participantId,
        l.id,
        p.infoId,
        1,
        p.isInbound,
        p.answer ? 1 : 0,
        0,
        0,
        p.start,
        p.answer,
        p.end,
      ]),
    ),
    insert(
      'cl_segments',
      [
        'id',
        'call_id',
        'seq_order',
        'seq_group',
        'src_part_id',
        'dst_part_id',
        'start_time',
        'end_time',
        'type',
        'action_id',
        'action_party_id',
        'call_history_id',
      ],
      l.segments.map((s) => [
        s.id,
        l.id,
        s.seqOrder,
        s.seqGroup,
        s.src.participantId,
        s.dst.participantId,
        s.start,
        s.end,
        s.type,
        s.actionId,
        null,
        l.callHistoryId,
      ]),
    ),
  ];
  const queueRow = call.rows.find((r) => r.destination_dn_number === queueDn && !r.originating_cdr_id);
  if (queueRow) {
    const polls = call.rows.filter((r) => r.originating_cdr_id === queueRow.cdr_id);
    const answered = polls.find((r) => r.cdr_answered_at);
    const start = queueRow.cdr_started_at as Date;
    const end = queueRow.cdr_ended_at ?? start;
    const naive = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
    out.push(
      insert(
        'callcent_queuecalls',
        [
          'q_num',
          'time_start',
          'time_end',
          'ts_waiting',
          'ts_polling',
          'ts_servicing',
          'count_polls',
          'count_dialed',
          'count_rejected',
          'call_history_id',
          'from_userpart',
          'from_displayname',
          'to_dialednum',
          'to_dn',
          'to_dntype',
          'call_result',
          'is_visible',
          'is_agent',
        ],
        [
          [
            queueDn,
            naive(start),
            naive(end),
            iv(end.getTime() - start.getTime()),
            iv(end.getTime() - start.getTime()),
            iv(
              answered
                ? (answered.cdr_ended_at as Date).getTime() - (answered.cdr_answered_at as Date).getTime()
                : 0,
            ),
            polls.length,
            polls.length,
            polls.filter((p) => p.termination_reason === 'rejected').length,
            call.rows[0]?.call_history_id ?? null,
            queueRow.source_participant_phone_number,
            queueRow.source_participant_name,
            queueDn,
            answered?.destination_dn_number ?? null,
            answered ? 0 : null,
            answered ? 'ANSWERED' : 'ABANDONED',
            true,
            false,
          ],
        ],
      ),
    );
  }
  return out;
}

export { insert };
