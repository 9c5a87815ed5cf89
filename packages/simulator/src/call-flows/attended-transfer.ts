import type { Call, Leg } from '../pbx/call.js';
import type { DnEntry } from '../pbx/directory.js';
import { offer } from '../pbx/offer.js';
import { dnParty } from '../pbx/parties.js';
import { talk } from '../pbx/talk.js';
import { BY_DID, finish, hold, startInbound, type FlowEnv, type FlowResult } from './flow-kit.js';
import { startInternalCall } from './internal.js';

/**
 * Inbound call to 101 (direct DID), answered; 101 consults 102 on a second call (its own
 * `callid`; the caller waits on hold, still `Connected`: 3CX has no held status), 102 answers,
 * and 101 completes the transfer: 102's participant moves to the caller's call (same `id`, the
 * caller's `callid`, `referred_by_dn` "101"), 101 leaves both calls and the consultation call
 * ends at once. The caller talks on with 102 and hangs up.
 * CDRs: the caller's flow gets a `join` row to 102 that 101's row continues in; the consultation
 * is a flow of its own (101 → 102, answered). The `join` row and how the consultation row ends
 * are [INFERRED] (field review §1.9, §8.6).
 */
export async function attendedTransfer(env: FlowEnv): Promise<FlowResult> {
  const first = env.dir.find('101');
  const second = env.dir.find('102');
  if (!first || !second) throw new Error('extensions 101/102 missing');
  const call = startInbound(env, 0);
  const result = await offer(call, {
    targets: [first],
    ...BY_DID,
    ringMs: 20_000,
    answer: { dn: '101', afterMs: 3_000 },
  });
  if (result.kind !== 'answered') return finish(call, 'missed');
  if (!(await hold(call, 4_000))) return finish(call, 'answered', '101');
  const consult = startInternalCall(env, first, second);
  const asked = await offer(consult.call, {
    targets: [second],
    method: 'call_init',
    forwardReason: 'none',
    ringMs: 20_000,
    callerLeg: consult.leg,
    answer: { dn: '102', afterMs: 3_000 },
  });
  if (asked.kind !== 'answered' || !(await hold(consult.call, 3_000))) {
    await finish(consult.call, 'missed');
    await talk(call, { leg: result.leg, ms: 10_000, hangupBy: 'caller' });
    return finish(call, 'answered', '101');
  }
  const moved = join(call, result.leg, consult.call, asked.leg, second);
  await finish(consult.call, 'transferred', '102');
  await talk(call, { leg: moved, ms: 15_000, hangupBy: 'caller' });
  return finish(call, 'answered', '101');
}

/**
 * Completes the transfer: `target`'s leg moves from the consultation to the caller's call and
 * talks to the caller; the transferring extension's legs go.
 */
function join(call: Call, transferring: Leg, consult: Call, target: Leg, dn: DnEntry): Leg {
  const c = call.caller;
  const party = dnParty(dn, call.cdr.participantId());
  const row = call.cdr.hop(party, {
    method: 'join',
    forwardReason: 'none',
    source: { ...call.cdr.callerParty, isAlreadyConnected: true },
  });
  call.cdr.answer(row);
  if (target.row) consult.cdr.end(target.row, 'src_participant_terminated', null, null);
  call.adoptLeg(
    target,
    consult,
    {
      party_caller_name: c.name,
      party_dn: c.dn.number,
      party_caller_id: c.number,
      party_dn_type: c.dn.type,
      referred_by_dn: transferring.dn.number,
      referred_by_type: transferring.dn.type,
    },
    party,
    row,
  );
  call.removeLeg(transferring);
  call.setStatus('Talking', `${dn.number} ${dn.name}`);
  return target;
}
