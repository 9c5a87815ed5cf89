import type { Call, Leg } from '../pbx/call.js';
import type { DnEntry } from '../pbx/directory.js';
import { dialingFields, outsideParty, unroutedFields } from '../pbx/parties.js';
import { talk } from '../pbx/talk.js';
import { finish, hiddenLeg, hold, startInternal, type FlowEnv, type FlowResult } from './flow-kit.js';

/**
 * Dials a number on the outside from `from`: the caller's leg shows `Dialing` with the trunk
 * as `party_dn` ([FIELD S4] capture), then `Connected` when the far end answers.
 */
export async function dialOut(
  env: FlowEnv,
  call: Call,
  callerLeg: Leg,
  number: string,
  talkMs: number,
): Promise<FlowResult> {
  const party = outsideParty(env.dir, number, call.cdr.participantId());
  const row = call.cdr.hop(party, { method: 'call_init', forwardReason: 'none' });
  const far = hiddenLeg(call, env.dir.trunk, party, row);
  call.setStatus('Ringing', number);
  if (!(await hold(call, 6_000))) return finish(call, 'cancelled');
  call.cdr.answer(row);
  call.updateLeg(callerLeg, { status: 'Connected' });
  call.setStatus('Talking', number);
  await talk(call, { leg: far, callerLeg, ms: talkMs, hangupBy: 'caller' });
  return finish(call, 'answered');
}

/**
 * Starts a call from `from` to an outside number and returns its visible leg at once;
 * `unrouted`: the leg starts with no party yet (`None`), as a `makecall` leg does.
 */
export function startOutbound(
  env: FlowEnv,
  from: DnEntry,
  number: string,
  unrouted = false,
): { call: Call; leg: Leg } {
  const call = startInternal(env, from, number);
  const fields = unrouted
    ? unroutedFields(call, number)
    : dialingFields(call, { dn: env.dir.trunk, number, name: '' });
  const leg = call.addLeg(from, fields, call.cdr.callerParty, null);
  return { call, leg };
}

/** Extension 100 calls 0123456789 over the trunk; the call is answered and 100 hangs up. */
export async function outboundCall(env: FlowEnv): Promise<FlowResult> {
  const from = env.dir.find('100');
  if (!from) throw new Error('extension 100 missing');
  const { call, leg } = startOutbound(env, from, '0123456789');
  return dialOut(env, call, leg, '0123456789', 12_000);
}
