import { CdrBuilder } from '../cdr/cdr-builder.js';
import type { CdrIdGenerator } from '../cdr/cdr-id.js';
import type { CdrParty, CdrRow } from '../cdr/cdr-row.js';
import { FlowAborted, sleepSim } from '../util/clock.js';
import { awaitReaders } from './await-readers.js';
import type { Rng } from '../util/rng.js';
import type { Did, DnEntry } from './directory.js';
import type { Participant, PartyType } from './participant.js';
import type { PbxState } from './pbx-state.js';

/** What every call needs from the running PBX. */
export interface CallContext {
  state: PbxState;
  ids: CdrIdGenerator;
  rng: Rng;
  timeScale: number;
  /** Aborts when the PBX restarts or the simulator stops. */
  signal: AbortSignal;
  /** Quirk knob: fill `party_did` on inbound trunk calls (real V20 leaves it empty). */
  fillPartyDid: boolean;
  /** Option `waitForReaders`: real ms a scripted step waits for clients to read the call's legs; 0 = off. */
  waitForReadersMs: number;
  /** Called with the finished call (its CDRs are complete). */
  onFinished(call: Call): Promise<void>;
}

/** Who started the call, in the forms each surface needs. */
export interface CallerInfo {
  external: boolean;
  /** CLI (external) or DN number (internal). */
  number: string;
  name: string;
  /** The trunk for external callers, else the caller's own DN. */
  dn: DnEntry;
  did: Did | null;
  /** The dialled number, for calls to the outside. */
  dialled?: string;
  /**
   * `source_presentation` of its CDRs: the display name shown to the destination ([OFFICIAL]
   * guide, field review §1.10), e.g. "Nathan Jones"; the number when 3CX has no name.
   */
  presentation: string;
}

/** A message a mailbox recorded: one `s_voicemail` row ([FIELD] field review §1.13). */
export interface VoicemailRecord {
  wavFile: string;
  caller: string;
  callerName: string;
  callee: string;
  /** Seconds. */
  duration: number;
  createdTime: Date;
  /** `cdroutput.destination_participant_id` of the row that landed in the mailbox. */
  cdrParticipantId: string;
  /** 3CX's voicemail transcription, set when the call is written (`transcribeVoicemails`). */
  transcription?: string | null;
}

/** One participant of the call plus its CDR bookkeeping. */
export interface Leg {
  participant: Participant;
  dn: DnEntry;
  /** This leg as a CDR party. */
  party: CdrParty;
  /** The row in which this leg is the destination (null for the caller's own leg). */
  row: CdrRow | null;
}

/** A participant action or a hang-up delivered to the flow that drives the call. */
export type CallSignal =
  | {
      kind: 'action';
      leg: Leg;
      action: 'answer' | 'drop' | 'divert' | 'routeto' | 'transferto';
      destination?: string;
    }
  | { kind: 'hangup'; by: 'caller' | 'system' };

/** XAPI ActiveCalls status vocabulary ([UNVERIFIED] for V20; what peers match on). */
export type CallStatus = 'Routing' | 'Ringing' | 'Talking';

/** One call in progress: its legs (participants), its CDR builder and its signal inbox. */
export class Call {
  readonly callid: number;
  readonly cdr: CdrBuilder;
  readonly legs = new Set<Leg>();
  readonly establishedAt = new Date();
  status: CallStatus = 'Routing';
  lastChangeStatus = new Date();
  callee = '';
  ended = false;
  /**
   * The leg of the IVR or queue that holds the caller (prompts, music) while it routes the call:
   * `Connected`, party = the caller ([FIELD] zammad-bridge c8f92a8). Visible only to clients
   * that monitor that DN.
   */
  holding: Leg | null = null;
  /** Messages the call left in mailboxes (written to `s_voicemail` with its CDRs). */
  readonly voicemails: VoicemailRecord[] = [];
  private legSeq = 0;
  private readonly inbox: CallSignal[] = [];
  private wake: (() => void) | undefined;

  constructor(
    readonly ctx: CallContext,
    readonly caller: CallerInfo,
    callerParty: CdrParty,
    /** A call that carries on another one's flow (a queue callback): the same CDR flow, a new callid. */
    cdr?: CdrBuilder,
  ) {
    this.callid = ctx.state.newCallId();
    this.cdr = cdr ?? new CdrBuilder(ctx.ids, callerParty, caller.presentation);
    ctx.state.calls.set(this.callid, this);
  }

  /** The ActiveCalls `Caller` display string ("DN Name" or a number). */
  get callerDisplay(): string {
    return this.caller.external ? this.caller.number : `${this.caller.number} ${this.caller.name}`;
  }

  /** Reserves a leg id for a hop nobody monitors (trunk, IVR, queue). */
  nextLegId(): number {
    return ++this.legSeq;
  }

  /** Adds a visible participant on `dn` and emits its Upsert. */
  addLeg(
    dn: DnEntry,
    fields: Omit<Participant, 'id' | 'dn' | 'callid' | 'legid' | 'device_id'>,
    party: CdrParty,
    row: CdrRow | null,
  ): Leg {
    const device = this.ctx.state.devicesOf(dn.number)[0];
    const participant: Participant = {
      id: this.ctx.state.newParticipantId(),
      dn: dn.number,
      ...fields,
      device_id: this.ctx.state.isUnregistered(dn.number) ? undefined : (device?.device_id ?? ''),
      callid: this.callid,
      legid: this.nextLegId(),
    };
    const leg: Leg = { participant: reorder(participant), dn, party, row };
    this.legs.add(leg);
    this.ctx.state.upsert(leg.participant, this);
    return leg;
  }

  updateLeg(leg: Leg, changes: Partial<Participant>): void {
    leg.participant = reorder({ ...leg.participant, ...changes });
    this.ctx.state.upsert(leg.participant, this);
  }

  removeLeg(leg: Leg): void {
    this.legs.delete(leg);
    this.ctx.state.remove(leg.participant.dn, leg.participant.id);
    if (this.holding === leg) this.holding = null;
  }

  /**
   * Takes over `leg` from `from` (an attended-transfer join): the same participant (DN and
   * `id`) now belongs to this call, with a new `callid` and `legid` and `changes` applied, and
   * one Upsert says so; `from` forgets it without a Remove ([INFERRED] field review §1.9).
   */
  adoptLeg(leg: Leg, from: Call, changes: Partial<Participant>, party: CdrParty, row: CdrRow): void {
    from.legs.delete(leg);
    this.legs.add(leg);
    leg.party = party;
    leg.row = row;
    leg.participant = reorder({
      ...leg.participant,
      ...changes,
      callid: this.callid,
      legid: this.nextLegId(),
    });
    this.ctx.state.upsert(leg.participant, this);
  }

  /** The IVR or queue lets go of the caller (it moves on, or an agent picked up). */
  releaseHolding(): void {
    if (this.holding) this.removeLeg(this.holding);
  }

  setStatus(status: CallStatus, callee?: string): void {
    this.status = status;
    if (callee !== undefined) this.callee = callee;
    this.lastChangeStatus = new Date();
  }

  /** Delivers a signal to the flow driving this call. */
  signal(s: CallSignal): void {
    this.inbox.push(s);
    this.wake?.();
  }

  /** Waits up to `simMs` for the next signal; null on timeout. Throws FlowAborted on restart. */
  async wait(simMs: number): Promise<CallSignal | null> {
    if (this.inbox.length) return this.inbox.shift() ?? null;
    const ctl = new AbortController();
    const onAbort = () => ctl.abort(this.ctx.signal.reason);
    this.ctx.signal.addEventListener('abort', onAbort, { once: true });
    this.wake = () => ctl.abort('signal');
    try {
      await sleepSim(simMs, this.ctx.timeScale, ctl.signal);
      // The script's next step changes the call: let watching clients read what it is now first.
      if (this.ctx.waitForReadersMs > 0)
        await awaitReaders(
          this.ctx.state,
          () => [...this.legs].map((l) => l.participant),
          this.ctx.waitForReadersMs,
        );
      return null;
    } catch (err) {
      if (this.ctx.signal.aborted) throw err;
      if (!(err instanceof FlowAborted)) throw err;
      return this.inbox.shift() ?? null;
    } finally {
      this.wake = undefined;
      this.ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Removes every leg and retires the call from the active list. */
  teardown(): void {
    for (const leg of [...this.legs]) this.removeLeg(leg);
    this.ended = true;
    this.ctx.state.calls.delete(this.callid);
  }
}

/** Keeps the documented field order whatever order the spread produced. */
function reorder(p: Participant): Participant {
  return {
    id: p.id,
    status: p.status,
    dn: p.dn,
    party_caller_name: p.party_caller_name,
    party_dn: p.party_dn,
    party_caller_id: p.party_caller_id,
    party_did: p.party_did,
    ...(p.device_id === undefined ? {} : { device_id: p.device_id }),
    party_dn_type: p.party_dn_type,
    direct_control: p.direct_control,
    originated_by_dn: p.originated_by_dn,
    originated_by_type: p.originated_by_type,
    referred_by_dn: p.referred_by_dn,
    referred_by_type: p.referred_by_type,
    on_behalf_of_dn: p.on_behalf_of_dn,
    on_behalf_of_type: p.on_behalf_of_type,
    callid: p.callid,
    legid: p.legid,
  };
}

/** A helper for `*_type` fields: the DN's type, or `None` when there is no DN. */
export function typeOf(dn: DnEntry | null | undefined): PartyType {
  return dn ? dn.type : 'None';
}
