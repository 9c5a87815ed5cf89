import { offer } from '../pbx/offer.js';
import { BY_DID, hopTo, startInbound, talkThenFinish, type FlowEnv, type FlowResult } from './flow-kit.js';

/**
 * Inbound call to the ring group (ring all): one participant per member, all with the same
 * `callid` and distinct `legid`/`id`; one member answers, the others are removed.
 */
export async function ringGroupFanout(env: FlowEnv): Promise<FlowResult> {
  const { dir, ctx } = env;
  const call = startInbound(env, 1);
  const answerer = ctx.rng.pick(dir.ringGroup.members);
  hopTo(call, dir.ringGroup, BY_DID, false);
  const members = dir.findAll(dir.ringGroup.members);
  const result = await offer(call, {
    targets: members,
    group: dir.ringGroup,
    method: 'route_to',
    forwardReason: 'polling',
    ringMs: 20_000,
    answer: { dn: answerer, afterMs: 5_000 },
  });
  return talkThenFinish(call, result, { ms: 15_000, hangupBy: 'callee' });
}
