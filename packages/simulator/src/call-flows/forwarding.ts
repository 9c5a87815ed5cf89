import type { Call } from '../pbx/call.js';
import type { DnEntry } from '../pbx/directory.js';
import { offer } from '../pbx/offer.js';
import { dnParty } from '../pbx/parties.js';
import {
  BY_DID,
  finish,
  hold,
  hopTo,
  startInbound,
  talkThenFinish,
  type FlowEnv,
  type FlowResult,
} from './flow-kit.js';

/**
 * The DID routes to an extension that does not ring: it is busy (on another call) or forwards
 * everything. Its row opens and ends at once with `continued_in` and the reason in
 * `termination_reason_details` (`busy`, `forward_all`: [FIELD] field review §1.4, production
 * chains "ext 189 (busy) → … → queue 905", "ext 186 (forward_all) → …"); the forward target's
 * row carries the same reason as `creation_forward_reason` ([INFERRED]). Nothing shows on Call
 * Control for the extension.
 */
function passOver(call: Call, ext: DnEntry): void {
  call.cdr.hop(dnParty(ext, call.cdr.participantId()), BY_DID);
}

/** The caller waits in `queue` (it answers, prompts and music) and its agents are polled. */
async function toQueue(env: FlowEnv, call: Call, queue: DnEntry & { agents: string[] }, reason: string) {
  hopTo(call, queue, { method: 'divert', forwardReason: reason, endPrevDetails: reason }, true);
  if (!(await hold(call, 2_000))) return null;
  return offer(call, {
    targets: env.dir.findAll(queue.agents),
    group: queue,
    method: 'route_to',
    forwardReason: 'polling',
    ringMs: 20_000,
    answer: { dn: env.ctx.rng.pick(queue.agents), afterMs: 4_000 },
  });
}

/** DID 32655145 → extension 104, busy → queue 800 → an agent answers ([FIELD] §1.4 "busy, then a queue"). */
export async function busyToQueue(env: FlowEnv): Promise<FlowResult> {
  const call = startInbound(env, 1);
  passOver(call, env.dir.find('104')!);
  const result = await toQueue(env, call, env.dir.queue, 'busy');
  if (!result) return finish(call, 'abandoned');
  return talkThenFinish(call, result, { ms: 12_000, hangupBy: 'caller' });
}

/** DID 32655144 → extension 100 forwards all calls → queue 800 → an agent answers ([FIELD] §1.4 "forward-all to a queue"). */
export async function forwardAllToQueue(env: FlowEnv): Promise<FlowResult> {
  const call = startInbound(env, 0);
  passOver(call, env.dir.find('100')!);
  const result = await toQueue(env, call, env.dir.queue, 'forward_all');
  if (!result) return finish(call, 'abandoned');
  return talkThenFinish(call, result, { ms: 12_000, hangupBy: 'callee' });
}

/**
 * DID 0274842022 → extension 105 is busy and has no forwarding and no mailbox: the caller hears
 * busy. The row ends `rejected`/`busy` ([INFERRED]; the field shows busy as `%busy%` in
 * `termination_reason_details`, §1.4).
 */
export async function inboundBusy(env: FlowEnv): Promise<FlowResult> {
  const call = startInbound(env, 4);
  call.cdr.hop(dnParty(env.dir.find('105')!, call.cdr.participantId()), BY_DID);
  const row = call.cdr.current!;
  call.setStatus('Routing', '105');
  await hold(call, 3_000); // the busy tone, until the caller hangs up
  call.cdr.end(row, 'rejected', 'busy', row.destination_participant_id);
  return finish(call, 'busy');
}
