import type { Call } from '../pbx/call.js';
import type { DnEntry } from '../pbx/directory.js';
import { offer, type OfferOutcome } from '../pbx/offer.js';
import {
  BY_DID,
  finish,
  hold,
  hopTo,
  startInbound,
  talkThenFinish,
  type FlowEnv,
  type FlowResult,
  type HopOptions,
} from './flow-kit.js';

type Queue = DnEntry & { agents: string[] };

/**
 * One stay in a queue: the queue answers (prompts, music), then polls its agents for `ringMs`.
 * Null when the caller hung up while waiting.
 */
async function queueVisit(
  call: Call,
  queue: Queue,
  hop: HopOptions,
  ringMs: number,
  answer: { dn: string; afterMs: number } | null,
): Promise<OfferOutcome | null> {
  hopTo(call, queue, hop, true);
  if (!(await hold(call, 2_000))) return null;
  const result = await offer(call, {
    targets: call.ctx.state.directory.findAll(queue.agents),
    group: queue,
    method: 'route_to',
    forwardReason: 'polling',
    ringMs,
    answer,
  });
  return result;
}

/** How a queue that nobody answered hands the call on ([INFERRED] reason and details). */
const OVERFLOW: HopOptions = {
  method: 'divert',
  forwardReason: 'no_answer',
  endPrevReason: 'redirected',
  endPrevDetails: 'no_answer',
};

/**
 * DID +41274842020 → queue 800; nobody answers within its timeout, so the queue overflows
 * (`redirected`) to queue 093 (Hotline, a DN with a leading zero), where agent 046 answers
 * ([FIELD] field review §1.4: chains through several queues; leading-zero DNs).
 */
export async function queueOverflow(env: FlowEnv): Promise<FlowResult> {
  const call = startInbound(env, 2);
  const first = await queueVisit(call, env.dir.queue, BY_DID, 12_000, null);
  if (!first) return finish(call, 'abandoned');
  const second = await queueVisit(call, env.dir.hotline, OVERFLOW, 20_000, { dn: '046', afterMs: 3_000 });
  if (!second) return finish(call, 'abandoned');
  return talkThenFinish(call, second, { ms: 12_000, hangupBy: 'caller' });
}

/**
 * "Ping-pong": DID 0041274842021 → queue 800, whose no-answer destination is queue 800 itself:
 * the call passes the same queue three times before agent 102 answers on the third ([FIELD]
 * field review §1.4, frequent on a production V20).
 */
export async function queuePingpong(env: FlowEnv): Promise<FlowResult> {
  const call = startInbound(env, 3);
  let result = await queueVisit(call, env.dir.queue, BY_DID, 8_000, null);
  for (let visit = 2; result && result.kind !== 'answered' && visit <= 3; visit++)
    result = await queueVisit(
      call,
      env.dir.queue,
      OVERFLOW,
      8_000,
      visit === 3 ? { dn: '102', afterMs: 3_000 } : null,
    );
  if (!result) return finish(call, 'abandoned');
  return talkThenFinish(call, result, { ms: 10_000, hangupBy: 'callee' });
}
