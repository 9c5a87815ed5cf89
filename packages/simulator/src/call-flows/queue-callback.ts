import type { CdrParty } from '../cdr/cdr-row.js';
import { Call } from '../pbx/call.js';
import { offer } from '../pbx/offer.js';
import { outsideParty } from '../pbx/parties.js';
import { talk } from '../pbx/talk.js';
import {
  BY_DID,
  finish,
  hiddenLeg,
  hold,
  hopTo,
  startInbound,
  type FlowEnv,
  type FlowResult,
} from './flow-kit.js';

/** The queue-callback service as a CDR party (`QCB`; entity `ivr` per the [OFFICIAL] guide). */
function qcbParty(participantId: string): CdrParty {
  return {
    participantId,
    entityType: 'ivr',
    dnNumber: 'QCB',
    dnType: 'ivr',
    dnName: 'Queue Callback',
    participantName: 'Queue Callback',
    phoneNumber: 'QCB',
    trunkDid: null,
    isIncoming: false,
    isAlreadyConnected: false,
    groupName: null,
  };
}

/**
 * Queue callback ([OFFICIAL] CDR guide, [FIELD] dashboards, field review §1.4): DID 32655144 →
 * queue 800; agents ring, nobody answers, and the caller asks to be called back and hangs up.
 * The queue row continues (`continued_in`/`callback_requested`) in a row from the queue to
 * `QCB` (`creation_forward_reason = callback_requested`). 5 s later QCB polls the agents on a
 * new callid, showing the caller's number (`on_behalf_of` the queue). `answered`: agent 101
 * takes it; the QCB row continues in 101's row (`continued_in`/`polling`), which continues
 * (`continued_in`/`callback`) in a row from 101 to the caller, answered when the caller picks
 * up. `failed`: nobody takes it; the QCB row ends with `termination_reason_details = 'polling'`.
 * All rows share the first call's `call_history_id` ([INFERRED]); the flow is written when the
 * callback ends.
 */
async function queueCallbackFlow(env: FlowEnv, answered: boolean): Promise<FlowResult> {
  const { dir } = env;
  const call = startInbound(env, 0);
  hopTo(call, dir.queue, BY_DID, true);
  if (!(await hold(call, 2_000))) return finish(call, 'abandoned');
  const agents = dir.findAll(dir.queue.agents);
  const waited = await offer(call, {
    targets: agents,
    group: dir.queue,
    method: 'route_to',
    forwardReason: 'polling',
    ringMs: 8_000,
  });
  if (waited.kind === 'answered') {
    await talk(call, { leg: waited.leg, ms: 8_000, hangupBy: 'caller' });
    return finish(call, 'answered', waited.leg.dn.number);
  }
  if (waited.kind === 'abandoned') return finish(call, 'abandoned');
  // The caller presses the callback key: the queue hands over to QCB, the caller hangs up.
  const queueRow = call.cdr.current!;
  const qcb = qcbParty(call.cdr.participantId());
  const qcbRow = call.cdr.hop(qcb, {
    method: 'divert',
    forwardReason: 'callback_requested',
    endPrevDetails: 'callback_requested',
    source: { ...sourceOf(queueRow), isAlreadyConnected: true },
  });
  call.cdr.answer(qcbRow);
  await hold(call, 1_500);
  call.teardown(); // the caller's call is over; its flow goes on in the callback
  return callBack(env, call, qcb, answered);
}

/** The callback on a new callid, in the same CDR flow. */
async function callBack(env: FlowEnv, first: Call, qcb: CdrParty, answered: boolean): Promise<FlowResult> {
  const { dir } = env;
  const call = new Call(first.ctx, first.caller, first.cdr.callerParty, first.cdr);
  call.nextLegId(); // the QCB leg
  await hold(call, 5_000);
  const qcbRow = call.cdr.current!;
  const result = await offer(call, {
    targets: dir.findAll(dir.queue.agents),
    group: dir.queue,
    method: 'route_to',
    forwardReason: 'polling',
    ringMs: 10_000,
    answer: answered ? { dn: '101', afterMs: 3_000 } : null,
    source: qcb,
  });
  if (result.kind !== 'answered') {
    call.cdr.end(qcbRow, 'cancelled', 'polling', null);
    return { ...(await finish(call, 'abandoned')), relatedCallids: [first.callid] };
  }
  // The agent's phone has answered: QCB now dials the caller from the agent's line.
  const customer = { ...outsideParty(dir, first.caller.number, call.cdr.participantId()), isIncoming: true };
  const dialRow = call.cdr.hop(customer, {
    method: 'route_to',
    forwardReason: 'none',
    endPrevDetails: 'callback',
    source: { ...result.leg.party, isAlreadyConnected: true },
  });
  await hold(call, 4_000);
  call.cdr.answer(dialRow);
  await talk(call, {
    leg: hiddenLeg(call, dir.trunk, customer, dialRow),
    callerLeg: result.leg,
    ms: 10_000,
    hangupBy: 'callee',
  });
  return { ...(await finish(call, 'answered', '101')), relatedCallids: [first.callid] };
}

/** The destination side of a row as a source party (the same participant). */
function sourceOf(row: { [k: string]: unknown }): CdrParty {
  const v = (c: string) => row[`destination_${c}`] as string;
  return {
    participantId: v('participant_id'),
    entityType: v('entity_type'),
    dnNumber: v('dn_number'),
    dnType: v('dn_type'),
    dnName: v('dn_name'),
    participantName: v('participant_name'),
    phoneNumber: v('participant_phone_number'),
    trunkDid: null,
    isIncoming: false,
    isAlreadyConnected: false,
    groupName: row.destination_participant_group_name as string | null,
  };
}

/** Queue callback that reaches the caller (agent 101). */
export const queueCallback = (env: FlowEnv) => queueCallbackFlow(env, true);

/** Queue callback that no agent takes: it fails. */
export const queueCallbackFailed = (env: FlowEnv) => queueCallbackFlow(env, false);
