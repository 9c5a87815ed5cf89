import {
  pickDisposition,
  type ActiveCall,
  type Direction,
  type Disposition,
  type Party,
} from '@3cx-relay/events';
import type { Participant } from './normalize-participant.js';

/** What the relay knows about one live call (serialisable: it is persisted across restarts). */
export interface TrackedCall {
  callid: number;
  /** First time the relay saw this callid (ms); part of event ids, since 3CX reuses callids after a restart. */
  epoch: number;
  startedAt: number;
  answeredAt: number | null;
  answeredBy: string | null;
  direction: Direction;
  caller: Party | null;
  callee: Party | null;
  did: string | null;
  /** The DID as 3CX gave it (before E.164 normalization); absent in state saved by older versions. */
  didRaw?: string | null;
  /** The caller's own leg reached a mailbox (voicemail special menu, connected). */
  voicemail?: boolean;
  queue: string | null;
  /** DNs that rang for the call. */
  rang: string[];
  /** Every DN with a participant in the call. */
  dns: string[];
  /** Keys (`dn/id`) of the caller's own legs (Dialing side). */
  ownLegs: string[];
  /** Visible participants by `dn/id`. */
  parts: Record<string, Participant>;
  /** Since when the call has had no visible participant (ms), or null. */
  emptySince: number | null;
  /** True when its end was noticed by reconciliation rather than a live Remove. */
  endedByReconcile: boolean;
}

/** The public live-call shape served by `/relay/active-calls` (see {@link ActiveCall}). */
export function newTrackedCall(callid: number, now: number): TrackedCall {
  return {
    callid,
    epoch: now,
    startedAt: now,
    answeredAt: null,
    answeredBy: null,
    direction: 'unknown',
    caller: null,
    callee: null,
    did: null,
    queue: null,
    rang: [],
    dns: [],
    ownLegs: [],
    parts: {},
    emptySince: null,
    endedByReconcile: false,
  };
}

/**
 * Disposition of a finished call as the live half sees it: voicemail (the caller's own leg
 * reached a mailbox), answered; else abandoned (was in a queue), missed (rang), rejected. Call
 * Control shows no busy line, and no mailbox behind an unmonitored trunk leg: `call.completed`
 * tells those.
 */
export function dispositionOfCall(c: TrackedCall): Disposition {
  return pickDisposition({
    voicemail: c.voicemail === true,
    answered: c.answeredAt !== null,
    abandoned: c.queue !== null,
    missed: c.rang.length > 0,
  });
}

/**
 * The {@link ActiveCall} view of a tracked call. `talking(key, p)` says whether a Connected
 * participant is a person on the line (an IVR or queue holding the caller is `routing`).
 */
export function toActiveCall(
  c: TrackedCall,
  extensions: string[],
  talking: (key: string, p: Participant) => boolean,
): ActiveCall {
  const entries = Object.entries(c.parts);
  const parts = entries.map(([, p]) => p);
  const state = entries.some(([k, p]) => p.status === 'Connected' && talking(k, p))
    ? 'talking'
    : parts.some((p) => p.status === 'Ringing')
      ? 'ringing'
      : parts.some((p) => p.status === 'Dialing')
        ? 'dialing'
        : 'routing';
  return {
    callId: String(c.callid),
    callHistoryId: null,
    direction: c.direction,
    state,
    caller: c.caller,
    callee: c.callee,
    did: c.did,
    queue: c.queue,
    extensions,
    startedAt: new Date(c.startedAt).toISOString(),
    answeredAt: c.answeredAt ? new Date(c.answeredAt).toISOString() : null,
    answeredBy: c.answeredBy,
    participants: parts.map((p) => ({
      id: p.id,
      dn: p.dn,
      status: p.status,
      legId: p.legid,
      partyNumber: p.party_caller_id || p.party_dn || null,
      partyName: p.party_caller_name || null,
    })),
  };
}
