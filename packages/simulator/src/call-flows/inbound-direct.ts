import { offer } from '../pbx/offer.js';
import { talk } from '../pbx/talk.js';
import { BY_DID, finish, startInbound, talkThenFinish, type FlowEnv, type FlowResult } from './flow-kit.js';

/** Inbound trunk call to DID 2 → extension 103 rings; the caller hangs up first (missed). */
export async function inboundMissed(env: FlowEnv): Promise<FlowResult> {
  const target = env.dir.find('103');
  if (!target) throw new Error('extension 103 missing');
  const call = startInbound(env, 1);
  const result = await offer(call, {
    targets: [target],
    ...BY_DID,
    ringMs: 25_000,
    abandonAfterMs: 12_000,
  });
  if (result.kind === 'answered') {
    await talk(call, { leg: result.leg, ms: 10_000, hangupBy: 'caller' });
    return finish(call, 'answered', result.leg.dn.number);
  }
  return finish(call, 'missed');
}

/**
 * Inbound call to extension 100 that rings for a long time (30 s simulated) before it is
 * answered: the call a relay finds already ringing when it connects.
 */
export async function ringingAtConnect(env: FlowEnv): Promise<FlowResult> {
  const target = env.dir.find('100');
  if (!target) throw new Error('extension 100 missing');
  const call = startInbound(env, 0);
  const result = await offer(call, {
    targets: [target],
    ...BY_DID,
    ringMs: 45_000,
    answer: { dn: '100', afterMs: 30_000 },
  });
  return talkThenFinish(call, result, { ms: 8_000, hangupBy: 'callee' });
}
