import type { CdrParty } from '../cdr/cdr-row.js';
import type { Call, Leg } from '../pbx/call.js';
import type { DnEntry } from '../pbx/directory.js';
import { offer } from '../pbx/offer.js';
import { dnParty } from '../pbx/parties.js';
import { talk } from '../pbx/talk.js';
import { BY_DID, finish, hiddenLeg, hold, startInbound, type FlowEnv, type FlowResult } from './flow-kit.js';
import { ringInternal, startInternalCall } from './internal.js';

/** Simulated ms from the divert to the mailbox picking up (greeting). */
const PICKUP_MS = 1_000;

/**
 * The callee did not take the call: 3CX sends the caller to the callee's mailbox through the
 * voicemail special menu. A visible caller's leg names the menu (`party_dn` "666",
 * `party_dn_type` `Wspecialmenu`) with the mailbox owner as `party_caller_id`, `Dialing`, then
 * `Connected` while the mailbox records ([FIELD] PHP auto-dialler capture). The CDR gets a row to
 * the mailbox: entity `voicemail`, DN type `extension`, answered by the mailbox ([FIELD] field
 * review §1.4), `divert` with `busy`/`no_answer` ([INFERRED]); the extension's row continues in
 * it when it was left open (no answer), as the voicemail tools' path walk expects ([FIELD]
 * §1.13). The caller hangs up after `recordMs`; the message is an `s_voicemail` row linked by
 * `cdr_participant_id` to the mailbox row's destination participant.
 */
export async function toVoicemail(
  env: FlowEnv,
  call: Call,
  callerLeg: Leg | null,
  owner: DnEntry,
  forwardReason: string,
  recordMs: number,
): Promise<FlowResult> {
  const menu = env.dir.specialMenu;
  if (callerLeg)
    call.updateLeg(callerLeg, {
      party_dn: menu.number,
      party_dn_type: menu.type,
      party_caller_id: owner.number,
      party_caller_name: owner.name,
    });
  const mailbox: CdrParty = { ...dnParty(owner, call.cdr.participantId()), entityType: 'voicemail' };
  const row = call.cdr.hop(mailbox, { method: 'divert', forwardReason, endPrevDetails: forwardReason });
  call.setStatus('Routing', `${menu.number} ${menu.name}`);
  if (!(await hold(call, PICKUP_MS))) return finish(call, 'missed');
  call.cdr.answer(row);
  if (callerLeg) call.updateLeg(callerLeg, { status: 'Connected' });
  call.setStatus('Talking', `${menu.number} ${menu.name}`);
  const started = Date.now();
  await talk(call, { leg: hiddenLeg(call, menu, mailbox, row), callerLeg, ms: recordMs, hangupBy: 'caller' });
  recordMessage(call, owner, mailbox, (Date.now() - started) / call.ctx.timeScale);
  return finish(call, 'voicemail');
}

/** The `s_voicemail` row of a recorded message (file name pattern [INFERRED] from `vmail_900_301_…wav`). */
function recordMessage(call: Call, owner: DnEntry, mailbox: CdrParty, simMs: number): void {
  const now = new Date();
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const caller = call.caller;
  call.voicemails.push({
    wavFile: `vmail_${owner.number}_${caller.number.replace(/\D/g, '')}_${stamp}.wav`,
    caller: caller.number,
    callerName: caller.external ? caller.presentation : caller.name,
    callee: owner.number,
    duration: Math.max(1, Math.round(simMs / 1000)),
    createdTime: now,
    cdrParticipantId: mailbox.participantId,
  });
}

/**
 * DID +41274842020 → extension 103 rings 15 s, nobody answers → 103's mailbox takes the call
 * and records 10 s. Call Control shows 103 ringing, then nothing (the trunk leg and the mailbox
 * are not monitored).
 */
export async function inboundVoicemail(env: FlowEnv): Promise<FlowResult> {
  const owner = env.dir.find('103')!;
  const call = startInbound(env, 2);
  const rang = await offer(call, { targets: [owner], ...BY_DID, ringMs: 15_000, leaveOpenOnTimeout: true });
  if (rang.kind === 'answered') {
    await talk(call, { leg: rang.leg, ms: 8_000, hangupBy: 'caller' });
    return finish(call, 'answered', owner.number);
  }
  if (rang.kind !== 'timeout') return finish(call, 'missed');
  return toVoicemail(env, call, null, owner, 'no_answer', 10_000);
}

/**
 * Extension 104 calls 103, which does not answer: 104's own leg moves to the voicemail special
 * menu (`Wspecialmenu`, `Connected` while the mailbox records): what Call Control shows of a
 * call that lands in a mailbox.
 */
export async function internalVoicemail(env: FlowEnv): Promise<FlowResult> {
  const from = env.dir.find('104')!;
  const to = env.dir.find('103')!;
  const { call, leg } = startInternalCall(env, from, to);
  return ringInternal(call, leg, to, null, 8_000, env);
}
