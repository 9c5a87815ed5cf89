import type { Call, Leg } from '../pbx/call.js';
import type { DnEntry } from '../pbx/directory.js';
import { offer } from '../pbx/offer.js';
import { dialingFields, unroutedFields } from '../pbx/parties.js';
import { talk } from '../pbx/talk.js';
import { BY_DID, finish, startInbound, startInternal, type FlowEnv, type FlowResult } from './flow-kit.js';
import { toVoicemail } from './voicemail.js';

/**
 * Starts a call between two internal DNs and returns the caller's visible leg at once;
 * `unrouted`: the leg starts with no party yet (`None`), as a `makecall` leg does.
 */
export function startInternalCall(
  env: FlowEnv,
  from: DnEntry,
  to: DnEntry,
  unrouted = false,
): { call: Call; leg: Leg } {
  const call = startInternal(env, from);
  const fields = unrouted
    ? unroutedFields(call, to.number)
    : dialingFields(call, { dn: to, number: to.number, name: to.name });
  const leg = call.addLeg(from, fields, call.cdr.callerParty, null);
  return { call, leg };
}

/** Rings `to` for an internal call, talks, and lets the callee hang up. */
export async function ringInternal(
  call: Call,
  callerLeg: Leg,
  to: DnEntry,
  answerAfterMs: number | null,
  talkMs: number,
  /** When the callee does not take the call (declines or does not answer): to its mailbox. */
  voicemail?: FlowEnv,
): Promise<FlowResult> {
  const result = await offer(call, {
    targets: [to],
    method: 'call_init',
    forwardReason: 'none',
    // A route point rings until its app answers (or gives up after a minute, [INFERRED]).
    ringMs: to.type === 'Wroutepoint' ? 60_000 : 20_000,
    callerLeg,
    answer: answerAfterMs === null ? null : { dn: to.number, afterMs: answerAfterMs },
    leaveOpenOnTimeout: Boolean(voicemail),
  });
  if (result.kind === 'abandoned') return finish(call, 'cancelled');
  if (result.kind !== 'answered') {
    if (!voicemail) return finish(call, 'missed');
    const reason = result.kind === 'rejected' ? 'busy' : 'no_answer';
    return toVoicemail(voicemail, call, callerLeg, to, reason, talkMs);
  }
  await talk(call, { leg: result.leg, callerLeg, ms: talkMs, hangupBy: 'callee' });
  return finish(call, 'answered', result.leg.dn.number);
}

/** Extension 101 calls 102; 102 answers and hangs up. */
export async function internalCall(env: FlowEnv): Promise<FlowResult> {
  const from = env.dir.find('101');
  const to = env.dir.find('102');
  if (!from || !to) throw new Error('extensions 101/102 missing');
  const { call, leg } = startInternalCall(env, from, to);
  return ringInternal(call, leg, to, 3_000, 10_000);
}

/**
 * Inbound call to 101 (direct DID), answered; 101 blind-transfers to 102, which rings with
 * `referred_by_dn: "101"`, answers, and the caller hangs up.
 */
export async function blindTransfer(env: FlowEnv): Promise<FlowResult> {
  const first = env.dir.find('101');
  if (!first) throw new Error('extension 101 missing');
  const call = startInbound(env, 0);
  const result = await offer(call, {
    targets: [first],
    ...BY_DID,
    ringMs: 20_000,
    answer: { dn: '101', afterMs: 3_000 },
  });
  if (result.kind !== 'answered') return finish(call, 'missed');
  const outcome = await talk(call, {
    leg: result.leg,
    ms: 20_000,
    hangupBy: 'caller',
    transfer: { afterMs: 5_000, to: '102' },
  });
  const last = [...call.legs].find((l) => l.participant.status === 'Connected');
  return finish(call, outcome === 'transfer-failed' ? 'transfer-failed' : 'answered', last?.dn.number);
}
