import { eventId, outcomeOf, type EventType, type NewEvent } from '@3cx-relay/events';
import { dispositionOfCall, type TrackedCall } from './tracked-call.js';

/** Milliseconds as seconds with one decimal, never negative. */
export const seconds = (ms: number) => Math.max(0, Math.round(ms / 100) / 10);

const nobody = { number: null, name: null, dn: null, kind: 'unknown' as const };

/**
 * One live call event: the envelope and the call context, plus `data`. Its id derives from the
 * callid, the call's epoch and `transition`, so the same upstream transition always yields the
 * same id. `extensions` are the call's extension DNs (the filter field).
 */
export function callEvent(
  call: TrackedCall,
  extensions: string[],
  type: EventType,
  transition: string,
  at: number,
  data: object,
): NewEvent {
  return {
    id: eventId(type, `${call.callid}@${call.epoch}`, transition),
    type,
    occurredAt: new Date(at),
    callId: String(call.callid),
    callHistoryId: null,
    extensions,
    dids: [...new Set([call.did, call.didRaw].filter((d): d is string => !!d))],
    queues: call.queue ? [call.queue] : [],
    data: {
      callId: String(call.callid),
      callHistoryId: null,
      direction: call.direction,
      caller: call.caller ?? nobody,
      callee: call.callee ?? nobody,
      did: call.did,
      queue: call.queue,
      ...data,
    },
  };
}

/** `call.ended`, and `call.missed` for an unanswered inbound or internal call. */
export function endEvents(call: TrackedCall, extensions: string[], endedAt: number): NewEvent[] {
  const disposition = dispositionOfCall(call);
  const outcome = outcomeOf(disposition);
  const base = {
    startedAt: new Date(call.startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    ringDurationSeconds: seconds((call.answeredAt ?? endedAt) - call.startedAt),
  };
  const out = [
    callEvent(call, extensions, 'call.ended', 'ended', endedAt, {
      ...base,
      outcome,
      disposition,
      answeredAt: call.answeredAt ? new Date(call.answeredAt).toISOString() : null,
      talkDurationSeconds: call.answeredAt ? seconds(endedAt - call.answeredAt) : 0,
      answeredBy: call.answeredBy,
      participants: call.dns,
      reconciled: call.endedByReconcile,
    }),
  ];
  if ((outcome === 'missed' || outcome === 'abandoned') && call.direction !== 'outbound')
    out.push(
      callEvent(call, extensions, 'call.missed', 'missed', endedAt, {
        ...base,
        outcome,
        disposition,
        ringingExtensions: call.rang,
      }),
    );
  return out;
}
