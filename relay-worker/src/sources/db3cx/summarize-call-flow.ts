import { eventId, type Direction, type NewEvent, type Outcome } from '@3cx-relay/events';
import { cdrSide, type CdrRow } from './cdr-row.js';
import { didOf, filterFields, partyFromCdr } from './cdr-events.js';

/**
 * Whether a call flow's rows are complete: every row has ended and every row another one
 * continues in (`continued_in_cdr_id`) or branches from (`originating_cdr_id`) is present.
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

const seconds = (ms: number) => Math.max(0, Math.round(ms / 100) / 10);

/**
 * The `call.completed` summary of one call flow (all rows of a `call_history_id`).
 * Answered = an extension or an outside party answered (IVR and queue "answers" do not count);
 * unanswered calls that reached a queue are `abandoned`, those that rang an extension or group
 * `missed`, the rest `rejected`.
 */
export function summarizeCallFlow(
  rows: CdrRow[],
  trunkDids: Record<string, string>,
  callId: string | null = null,
): NewEvent {
  const sorted = [...rows].sort(
    (a, b) => (a.cdr_started_at?.getTime() ?? 0) - (b.cdr_started_at?.getTime() ?? 0),
  );
  const first = sorted[0]!;
  const firstSource = cdrSide(first, 'source');
  const dests = sorted.map((r) => cdrSide(r, 'destination'));
  const outsideDest = dests.find((d) => d.entityType === 'external_line');
  const direction: Direction =
    firstSource.entityType === 'external_line'
      ? 'inbound'
      : outsideDest
        ? 'outbound'
        : firstSource.entityType
          ? 'internal'
          : 'unknown';
  const person = (t: string | null) => t === 'extension' || t === 'external_line';
  const answeredRows = sorted
    .filter((r) => r.cdr_answered_at && person(cdrSide(r, 'destination').entityType))
    .sort((a, b) => a.cdr_answered_at!.getTime() - b.cdr_answered_at!.getTime());
  const answered = answeredRows[0];
  const queueSide = dests.find((d) => d.entityType === 'queue');
  const rang = dests.some((d) => d.entityType === 'extension' || d.entityType?.startsWith('ring_group'));
  const outcome: Outcome = answered ? 'answered' : queueSide ? 'abandoned' : rang ? 'missed' : 'rejected';
  const startedAt = new Date(
    Math.min(...sorted.map((r) => (r.cdr_started_at ?? r.cdr_ended_at ?? new Date()).getTime())),
  );
  const endedAt = new Date(
    Math.max(...sorted.map((r) => (r.cdr_ended_at ?? r.cdr_started_at ?? new Date()).getTime())),
  );
  const answeredAt = answered?.cdr_answered_at ?? null;
  const calleeSide = answered
    ? cdrSide(answered, 'destination')
    : (outsideDest ?? dests.find((d) => d.entityType === 'extension') ?? dests[0]!);
  const did = direction === 'inbound' ? didOf(firstSource, trunkDids) : null;
  const filters = filterFields([firstSource, ...dests], trunkDids);
  const caller = partyFromCdr(firstSource);
  if (direction === 'inbound' && first.source_presentation) caller.number = first.source_presentation;
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
      caller,
      callee: partyFromCdr(calleeSide),
      did,
      queue: queueSide?.dnNumber ?? null,
      outcome,
      startedAt: startedAt.toISOString(),
      answeredAt: answeredAt?.toISOString() ?? null,
      endedAt: endedAt.toISOString(),
      ringDurationSeconds: seconds((answeredAt ?? endedAt).getTime() - startedAt.getTime()),
      talkDurationSeconds: answeredAt ? seconds(endedAt.getTime() - answeredAt.getTime()) : 0,
      answeredBy: answered ? partyFromCdr(cdrSide(answered, 'destination')).number : null,
      extensions: filters.extensions,
      cdrIds: sorted.map((r) => r.cdr_id),
    },
  };
}
