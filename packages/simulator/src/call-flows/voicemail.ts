import type { CdrParty } from '../cdr/cdr-row.js';
import type { Call, Leg } from '../pbx/call.js';
import type { DnEntry } from '../pbx/directory.js';
import { dnParty } from '../pbx/parties.js';
import { talk } from '../pbx/talk.js';
import { finish, hiddenLeg, hold, type FlowEnv, type FlowResult } from './flow-kit.js';

/** Simulated ms from the divert to the mailbox picking up (greeting). */
const PICKUP_MS = 1_000;

/**
 * The callee of an internal call did not take it: 3CX sends the caller to the callee's mailbox
 * through the voicemail special menu. The caller's leg names the menu (`party_dn` "666",
 * `party_dn_type` `Wspecialmenu`) with the mailbox owner as `party_caller_id`, `Dialing`, then
 * `Connected` while the mailbox records ([FIELD] PHP auto-dialler capture). The CDR gets a row to
 * the mailbox: entity `voicemail`, DN type `extension`, answered by the mailbox ([FIELD] field
 * review §1.4); the extension's own row keeps its unanswered end. The caller hangs up after
 * `recordMs`.
 */
export async function toVoicemail(
  env: FlowEnv,
  call: Call,
  callerLeg: Leg,
  owner: DnEntry,
  forwardReason: string,
  recordMs: number,
): Promise<FlowResult> {
  const menu = env.dir.specialMenu;
  call.updateLeg(callerLeg, {
    party_dn: menu.number,
    party_dn_type: menu.type,
    party_caller_id: owner.number,
    party_caller_name: owner.name,
  });
  const mailbox: CdrParty = { ...dnParty(owner, call.cdr.participantId()), entityType: 'voicemail' };
  const row = call.cdr.hop(mailbox, { method: 'divert', forwardReason });
  call.setStatus('Routing', `${menu.number} ${menu.name}`);
  if (!(await hold(call, PICKUP_MS))) return finish(call, 'missed');
  call.cdr.answer(row);
  call.updateLeg(callerLeg, { status: 'Connected' });
  call.setStatus('Talking', `${menu.number} ${menu.name}`);
  await talk(call, { leg: hiddenLeg(call, menu, mailbox, row), callerLeg, ms: recordMs, hangupBy: 'caller' });
  return finish(call, 'voicemail');
}
