import type { ActiveCall, Direction, Party } from '@3cx-relay/events';
import type { XapiActiveCall } from './xapi-client.js';
import { parsePartyDisplay } from './parse-party-display.js';

/**
 * The relay's call state for an XAPI `Status`. The vocabulary is unverified for V20, so it is
 * matched case-insensitively as peers do: Talking/Connected, Ringing, Dialing; Routing,
 * Transferring and anything unknown count as `routing` (in progress, nobody talking yet).
 */
export function stateOfStatus(status: unknown): ActiveCall['state'] {
  const s = typeof status === 'string' ? status.trim().toLowerCase() : '';
  if (s === 'talking' || s === 'connected') return 'talking';
  if (s === 'ringing') return 'ringing';
  if (s === 'dialing') return 'dialing';
  return 'routing';
}

/** Direction from the parsed parties: an outside caller is inbound; a DN calling out is outbound. */
function directionOf(caller: Party | null, callee: Party | null): Direction {
  if (caller?.kind === 'external') return 'inbound';
  if (!caller?.dn) return 'unknown';
  if (callee?.kind === 'external') return 'outbound';
  return callee?.dn ? 'internal' : 'unknown';
}

/** An ISO 8601 UTC instant from the first parseable timestamp, else now. */
function isoUtc(...candidates: unknown[]): string {
  for (const c of candidates) {
    const ms = typeof c === 'string' ? Date.parse(c) : NaN;
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return new Date().toISOString();
}

/**
 * An XAPI `ActiveCalls` row as an {@link ActiveCall}. XAPI shows a call as two display strings
 * and a status, so what it cannot tell is null or empty: `callHistoryId`, `did`, `queue`,
 * `answeredAt` and `participants`. `answeredBy` is the callee's DN while the call is talking.
 * `extensions` are the parsed DNs of caller and callee.
 */
export function xapiToActiveCall(row: XapiActiveCall): ActiveCall {
  const caller = parsePartyDisplay(row.Caller);
  const callee = parsePartyDisplay(row.Callee);
  const state = stateOfStatus(row.Status);
  const extensions = [...new Set([caller?.dn, callee?.dn].filter((dn): dn is string => !!dn))];
  return {
    callId: String(row.Id),
    callHistoryId: null,
    direction: directionOf(caller, callee),
    state,
    caller,
    callee,
    did: null,
    queue: null,
    extensions,
    startedAt: isoUtc(row.EstablishedAt, row.LastChangeStatus, row.ServerNow),
    answeredAt: null,
    answeredBy: state === 'talking' ? (callee?.dn ?? null) : null,
    participants: [],
  };
}
