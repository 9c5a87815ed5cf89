import { offer } from '../pbx/offer.js';
import { dnParty, ringingFields } from '../pbx/parties.js';
import { talk } from '../pbx/talk.js';
import { BY_DID, finish, startInbound, type FlowEnv, type FlowResult } from './flow-kit.js';

/**
 * Call pickup (interception): DID 32655145 → extension 103 rings; after 5 s extension 104 picks
 * the call up. 103's leg goes, 104's appears already `Connected` (no ring). CDRs: 103's row
 * continues in a row to 104 with `creation_method = 'pickup'` ([FIELD] field review §1.4; how
 * 103's row ends is [INFERRED]). The caller hangs up.
 */
export async function pickup(env: FlowEnv): Promise<FlowResult> {
  const target = env.dir.find('103')!;
  const picker = env.dir.find('104')!;
  const call = startInbound(env, 1);
  const rang = await offer(call, {
    targets: [target],
    ...BY_DID,
    ringMs: 5_000,
    leaveOpenOnTimeout: true,
  });
  if (rang.kind === 'abandoned') return finish(call, 'missed');
  const party = dnParty(picker, call.cdr.participantId());
  const row = call.cdr.hop(party, { method: 'pickup', forwardReason: 'none' });
  call.cdr.answer(row);
  const leg = call.addLeg(picker, { ...ringingFields(call), status: 'Connected' }, party, row);
  call.setStatus('Talking', `${picker.number} ${picker.name}`);
  await talk(call, { leg, ms: 12_000, hangupBy: 'caller' });
  return finish(call, 'answered', picker.number);
}
