import { offer } from '../pbx/offer.js';
import { talk } from '../pbx/talk.js';
import { finish, hopTo, startInbound, type FlowEnv, type FlowResult } from './flow-kit.js';

/**
 * Inbound call to the ring group (ring all): one participant per member, all with the same
 * `callid` and distinct `legid`/`id`; one member answers, the others are removed.
 */
export async function ringGroupFanout(env: FlowEnv): Promise<FlowResult> {
  const { dir, ctx } = env;
  const call = startInbound(env, 1);
  const answerer = ctx.rng.pick(dir.ringGroup.members);
  hopTo(call, dir.ringGroup, 'call_init', 'by_did', false);
  const members = dir.ringGroup.members.map((n) => dir.find(n)).filter((d) => d !== undefined);
  const result = await offer(call, {
    targets: members,
    group: dir.ringGroup,
    method: 'route_to',
    forwardReason: 'none',
    ringMs: 20_000,
    answer: { dn: answerer, afterMs: 5_000 },
  });
  if (result.kind !== 'answered') return finish(call, result.kind === 'abandoned' ? 'abandoned' : 'missed');
  await talk(call, { leg: result.leg, ms: 15_000, hangupBy: 'callee' });
  return finish(call, 'answered', result.leg.dn.number);
}
