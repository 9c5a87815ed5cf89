import type { CdrParty } from '../cdr/cdr-row.js';
import type { Call, Leg } from './call.js';
import type { DnEntry } from './directory.js';
import { dnParty, ringingFields } from './parties.js';

/** How a set of DNs is rung for a call. */
export interface OfferOptions {
  targets: DnEntry[];
  /** Queue or ring group the legs ring for: their CDRs are children of the group's row. */
  group?: DnEntry | null;
  /** `creation_method` of the new rows (children always use `route_to`). */
  method: string;
  /** `creation_forward_reason` (`polling` for queue agents). */
  forwardReason: string;
  referredBy?: DnEntry | null;
  /** Simulated ms the legs ring before giving up. */
  ringMs: number;
  /** Scripted answer: `dn` picks up after `afterMs` (API `answer` may come first). */
  answer?: { dn: string; afterMs: number } | null;
  /** Scripted caller hang-up while ringing. */
  abandonAfterMs?: number | null;
  /** The caller's own visible leg, connected on answer. */
  callerLeg?: Leg | null;
  /** `termination_reason_details` of the row the first hop continues (`by_did` after inbound routing). */
  endPrevDetails?: string | null;
  /**
   * On a ring timeout the legs go but their rows stay open, for the next hop to continue them
   * (`continued_in`): forwarding on no answer, to a mailbox, a pickup. Default: they end
   * `cancelled`/`no_answer`.
   */
  leaveOpenOnTimeout?: boolean;
  /** Source party of the new rows when it is not the caller (a queue callback rings agents from `QCB`). */
  source?: CdrParty;
}

export type OfferOutcome =
  { kind: 'answered'; leg: Leg } | { kind: 'timeout' } | { kind: 'abandoned' } | { kind: 'rejected' };

/**
 * Rings `targets` (one participant each, same `callid`, distinct `id`/`legid`) until one
 * answers, all reject, the caller hangs up or time runs out, and records each leg's CDR.
 * Unanswered polls end `cancelled` / `completed_elsewhere` ([FIELD]).
 */
export async function offer(call: Call, o: OfferOptions): Promise<OfferOutcome> {
  const cdr = call.cdr;
  const groupRow = o.group ? cdr.current : null;
  const ringing = new Set<Leg>();
  let answerPlan = o.answer ?? null;
  const ring = (dn: DnEntry, method: string, reason: string, base = groupRow) => {
    const party = dnParty(dn, cdr.participantId());
    const row = groupRow
      ? cdr.open(party, {
          method: 'route_to',
          forwardReason: reason,
          originating: groupRow,
          base,
          ...(o.source ? { source: o.source } : {}),
        })
      : cdr.hop(party, {
          method,
          forwardReason: reason,
          endPrevDetails: o.endPrevDetails ?? null,
          ...(o.source
            ? { source: o.source }
            : cdr.current?.cdr_answered_at
              ? { source: { ...cdr.callerParty, isAlreadyConnected: true } }
              : {}),
        });
    const fields = ringingFields(call, { onBehalfOf: o.group ?? null, referredBy: o.referredBy ?? null });
    // A route point's app controls its legs directly ([INFERRED]).
    const leg = call.addLeg(dn, { ...fields, direct_control: dn.type === 'Wroutepoint' }, party, row);
    ringing.add(leg);
  };
  for (const t of o.targets) ring(t, o.method, o.forwardReason);
  call.setStatus(
    'Ringing',
    o.group ? `${o.group.number} ${o.group.name}` : `${o.targets[0]?.number} ${o.targets[0]?.name}`,
  );

  const started = Date.now();
  const elapsed = () => (Date.now() - started) / call.ctx.timeScale;
  const closeAll = (reason: string, details: string, by: string | null) => {
    for (const leg of ringing) {
      call.removeLeg(leg);
      if (leg.row) cdr.end(leg.row, reason, details, by);
    }
    ringing.clear();
  };

  for (;;) {
    const deadlines = [o.ringMs, answerPlan?.afterMs ?? Infinity, o.abandonAfterMs ?? Infinity];
    const next = Math.min(...deadlines);
    const sig = await call.wait(Math.max(0, next - elapsed()));
    let picked: Leg | undefined;
    if (!sig) {
      const now = elapsed();
      if (o.abandonAfterMs != null && now >= o.abandonAfterMs) return abandon();
      if (answerPlan && now >= answerPlan.afterMs)
        picked = [...ringing].find((l) => l.dn.number === answerPlan?.dn);
      if (!picked && now >= o.ringMs) {
        if (o.leaveOpenOnTimeout && !groupRow) {
          for (const leg of ringing) call.removeLeg(leg);
          ringing.clear();
        } else closeAll('cancelled', 'no_answer', null);
        return { kind: 'timeout' };
      }
      // The planned answerer is gone once its time has come. A timer that fires a little early
      // (1 ms of wall clock is 200 sim-ms at timeScale 0.005) keeps the plan and waits again.
      if (!picked && answerPlan && now >= answerPlan.afterMs) answerPlan = null;
    } else if (sig.kind === 'hangup') {
      return abandon();
    } else if (sig.leg === o.callerLeg && sig.action === 'drop') {
      return abandon();
    } else if (ringing.has(sig.leg)) {
      const leg = sig.leg;
      if (sig.action === 'answer') picked = leg;
      else if (sig.action === 'drop') {
        ringing.delete(leg);
        call.removeLeg(leg);
        if (leg.row) cdr.end(leg.row, 'rejected', 'declined', leg.party.participantId);
        if (!ringing.size) return { kind: 'rejected' };
      } else {
        const dest = sig.destination ? call.ctx.state.directory.find(sig.destination) : undefined;
        if (!dest) continue;
        ringing.delete(leg);
        call.removeLeg(leg);
        if (leg.row) cdr.end(leg.row, 'redirected', 'deflected', leg.party.participantId);
        if (answerPlan?.dn === leg.dn.number) answerPlan = { dn: dest.number, afterMs: elapsed() + 3000 };
        ring(dest, 'divert', 'user_requested', leg.row);
      }
    }
    if (picked) return answered(picked);
  }

  function answered(leg: Leg): OfferOutcome {
    ringing.delete(leg);
    closeAll('cancelled', 'completed_elsewhere', null);
    call.releaseHolding(); // the queue hands the caller to the agent
    call.updateLeg(leg, { status: 'Connected' });
    if (leg.row) cdr.answer(leg.row);
    if (groupRow && leg.row) {
      // A group row answered through a poll ([FIELD] dashboards match continued_in/polling).
      cdr.end(groupRow, 'continued_in', 'polling', null, leg.row);
      cdr.current = leg.row;
    }
    if (o.callerLeg) call.updateLeg(o.callerLeg, { status: 'Connected' });
    call.setStatus('Talking', `${leg.dn.number} ${leg.dn.name}`);
    return { kind: 'answered', leg };
  }

  function abandon(): OfferOutcome {
    const by = cdr.callerParty.participantId;
    closeAll('cancelled', 'terminated_by_originator', by);
    if (cdr.current) cdr.end(cdr.current, 'src_participant_terminated', 'terminated_by_originator', by);
    return { kind: 'abandoned' };
  }
}
