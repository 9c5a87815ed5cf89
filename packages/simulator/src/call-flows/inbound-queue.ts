import { offer } from '../pbx/offer.js';
import { talk } from '../pbx/talk.js';
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

/** Inbound trunk → IVR → queue → all agents polled → one answers → caller hangs up. */
export async function inboundQueueAnswered(env: FlowEnv): Promise<FlowResult> {
  const { dir, ctx } = env;
  const call = startInbound(env, 0);
  const agent = ctx.rng.pick(dir.queue.agents);
  hopTo(call, dir.ivr, BY_DID, true);
  if (!(await hold(call, 5_000))) return finish(call, 'abandoned');
  hopTo(call, dir.queue, { method: 'route_to', forwardReason: 'none' }, true);
  if (!(await hold(call, 2_000))) return finish(call, 'abandoned');
  const agents = dir.findAll(dir.queue.agents);
  const result = await offer(call, {
    targets: agents,
    group: dir.queue,
    method: 'route_to',
    forwardReason: 'polling',
    ringMs: 20_000,
    answer: { dn: agent, afterMs: 4_000 },
  });
  return talkThenFinish(call, result, { ms: 20_000, hangupBy: 'caller' });
}

/** Inbound trunk → IVR → queue; agents ring but nobody answers and the caller gives up. */
export async function queueAbandoned(env: FlowEnv): Promise<FlowResult> {
  const { dir } = env;
  const call = startInbound(env, 0);
  hopTo(call, dir.ivr, BY_DID, true);
  if (!(await hold(call, 4_000))) return finish(call, 'abandoned');
  hopTo(call, dir.queue, { method: 'route_to', forwardReason: 'none' }, true);
  const agents = dir.findAll(dir.queue.agents);
  const result = await offer(call, {
    targets: agents,
    group: dir.queue,
    method: 'route_to',
    forwardReason: 'polling',
    ringMs: 30_000,
    abandonAfterMs: 9_000,
  });
  if (result.kind === 'answered') {
    await talk(call, { leg: result.leg, ms: 10_000, hangupBy: 'caller' });
    return finish(call, 'answered', result.leg.dn.number);
  }
  return finish(call, 'abandoned');
}
