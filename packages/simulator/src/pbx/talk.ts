import type { Call, Leg } from './call.js';
import { offer } from './offer.js';

/** Options of the talking phase. */
export interface TalkOptions {
  /** The answering leg. */
  leg: Leg;
  /** The caller's own visible leg, if the caller is a monitored DN. */
  callerLeg?: Leg | null;
  /** Simulated talk time before the scripted hang-up. */
  ms: number;
  /** Which side hangs up when the time is up. */
  hangupBy: 'caller' | 'callee';
  /** Scripted blind transfer: after `afterMs` the callee transfers the caller to `to`. */
  transfer?: { afterMs: number; to: string } | null;
}

/** How the talk ended. */
export type TalkOutcome = 'caller-hung-up' | 'callee-hung-up' | 'transfer-failed';

/**
 * Keeps the call connected until someone hangs up (script or API `drop` / `DropCall`) and
 * handles a blind transfer (`transferto`): the transferring leg leaves, the target rings with
 * `referred_by_dn` set, and the caller talks on with whoever answers.
 */
export async function talk(call: Call, o: TalkOptions): Promise<TalkOutcome> {
  let leg = o.leg;
  let transfer = o.transfer ?? null;
  let started = Date.now();
  const elapsed = () => (Date.now() - started) / call.ctx.timeScale;
  for (;;) {
    const sig = await call.wait(Math.max(0, Math.min(o.ms, transfer?.afterMs ?? Infinity) - elapsed()));
    let transferTo: string | undefined;
    if (!sig) {
      if (transfer && elapsed() >= transfer.afterMs) {
        transferTo = transfer.to;
        transfer = null;
      } else if (elapsed() >= o.ms) return hangup(o.hangupBy);
    } else if (sig.kind === 'hangup') return hangup('caller');
    else if (sig.action === 'drop' && sig.leg === leg) return hangup('callee');
    else if (sig.action === 'drop' && sig.leg === o.callerLeg) return hangup('caller');
    else if (sig.action === 'transferto' && sig.leg === leg) transferTo = sig.destination;
    if (!transferTo) continue;
    const target = call.ctx.state.directory.find(transferTo);
    if (!target) continue;
    const from = leg;
    call.removeLeg(from);
    const result = await offer(call, {
      targets: [target],
      method: 'transfer',
      forwardReason: 'none',
      referredBy: from.dn,
      ringMs: 20_000,
      answer: { dn: target.number, afterMs: 3_000 },
      callerLeg: o.callerLeg ?? null,
    });
    if (result.kind !== 'answered') return 'transfer-failed';
    leg = result.leg;
    started = Date.now();
  }

  function hangup(side: 'caller' | 'callee'): TalkOutcome {
    const row = call.cdr.current;
    if (row) {
      const by = side === 'caller' ? call.cdr.callerParty.participantId : leg.party.participantId;
      call.cdr.end(
        row,
        side === 'caller' ? 'src_participant_terminated' : 'dst_participant_terminated',
        null,
        by,
      );
    }
    return side === 'caller' ? 'caller-hung-up' : 'callee-hung-up';
  }
}
