import type { Call } from '../pbx/call.js';
import type { PbxState } from '../pbx/pbx-state.js';
import { isoUtc } from '../util/clock.js';

/** The 7 fields of `Pbx.ActiveCall` ([OFFICIAL] swagger), nothing else. */
export const ACTIVE_CALL_FIELDS = [
  'Id',
  'Caller',
  'Callee',
  'Status',
  'LastChangeStatus',
  'EstablishedAt',
  'ServerNow',
] as const;

/** One call as `Pbx.ActiveCall`: `Caller`/`Callee` are display strings, not structured. */
export function activeCallItem(call: Call, now: Date): Record<string, unknown> {
  return {
    Id: call.callid,
    Caller: call.callerDisplay,
    Callee: call.callee,
    Status: call.status,
    LastChangeStatus: isoUtc(call.lastChangeStatus),
    EstablishedAt: isoUtc(call.establishedAt),
    ServerNow: isoUtc(now),
  };
}

/** All calls in progress as ActiveCall items. */
export function listActiveCalls(state: PbxState): Record<string, unknown>[] {
  const now = new Date();
  return [...state.calls.values()].filter((c) => !c.ended).map((c) => activeCallItem(c, now));
}

/** `ActiveCalls({Id})/Pbx.DropCall`: hangs the call up. False when there is no such call. */
export function dropActiveCall(state: PbxState, id: number): boolean {
  const call = state.calls.get(id);
  if (!call || call.ended) return false;
  call.signal({ kind: 'hangup', by: 'system' });
  return true;
}
