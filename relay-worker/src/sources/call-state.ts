import type { EventType, NewEvent, PartyKind } from '@3cx-relay/events';
import {
  dialledDid,
  localParty,
  remoteParty,
  type Participant,
} from './callcontrol/normalize-participant.js';
import { callEvent, endEvents, seconds } from './callcontrol/call-event-builder.js';
import { RecentCalls } from './callcontrol/recent-calls.js';
import { normalizeDid } from './normalize-did.js';
import { newTrackedCall, toActiveCall, type TrackedCall } from './callcontrol/tracked-call.js';
import type { ActiveCall } from '@3cx-relay/events';

export type { ActiveCall, ActiveCallParticipant } from '@3cx-relay/events';

export interface CallStateOptions {
  trunkDids: Record<string, string>;
  /** `PBX_DID_COUNTRY`: `did` in E.164 when it parses for this country (the raw form stays a filter value). */
  didCountry?: string | undefined;
  /** How long a call may have no visible participant before it counts as ended (queue/ring-group refills), ms. */
  endGraceMs: number;
  /**
   * How long an empty call whose end cannot be confirmed (the ActiveCalls check keeps failing)
   * stays open before it ends anyway, ms. Default {@link MAX_UNCONFIRMED_MS} (2 h): longer than
   * any queue wait, short enough that a PBX whose XAPI never answers again does not keep
   * phantom calls forever.
   */
  maxUnconfirmedMs?: number;
  now?: () => number;
}

/** Default of {@link CallStateOptions.maxUnconfirmedMs}: 2 hours. */
export const MAX_UNCONFIRMED_MS = 2 * 3600_000;

const key = (dn: string, id: number) => `${dn}/${id}`;

/**
 * Live call state built from Call Control participants, and the events its transitions yield.
 *
 * Per call (grouped by 3CX `callid`, one id across IVR → queue → agent):
 * `new` → participants appear (`call.ringing` per ringing DN, `call.transferred` when
 * `referred_by_dn` is set) → a participant becomes Connected (`call.answered`) → the last
 * participant disappears: the call is `empty` for `endGraceMs` (a queue's next polling wave or a
 * ring-group refill may add participants again, so ringing agents that stop are not a miss) →
 * still empty and not reported alive by the PBX → `call.ended` (+ `call.missed` when nobody
 * answered an inbound or internal call). Every event id derives from the callid, the call's
 * epoch and the transition, so replaying the same upstream state never yields a second event.
 */
export class CallState {
  private readonly calls = new Map<number, TrackedCall>();
  private readonly dnTypes = new Map<string, string>();
  private readonly recent = new RecentCalls();
  private readonly now: () => number;

  constructor(private readonly o: CallStateOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Learns the DN types (`Wextension`, `Wroutepoint`, …) from a `GET /callcontrol` snapshot. */
  setDnType(dn: string, type: string): void {
    this.dnTypes.set(dn, type);
  }

  /** The calls in progress, oldest first. Served by `/relay/active-calls` without asking the PBX. */
  activeCalls(): ActiveCall[] {
    return [...this.calls.values()]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((c) =>
        toActiveCall(c, this.extensionsOf(c), (k, p) => c.ownLegs.includes(k) || this.isExtension(p.dn)),
      );
  }

  /** Callids currently tracked. */
  callIds(): number[] {
    return [...this.calls.keys()];
  }

  /** Applies a participant from an Upsert (after its GET) or a snapshot; returns the new events. */
  upsert(p: Participant): NewEvent[] {
    const now = this.now();
    let call = this.calls.get(p.callid);
    if (!call) {
      call = newTrackedCall(p.callid, now);
      this.calls.set(p.callid, call);
    }
    const k = key(p.dn, p.id);
    const movedFrom = this.takeFromOtherCall(k, call);
    const prev = call.parts[k];
    call.parts[k] = p;
    call.emptySince = null;
    if (!call.dns.includes(p.dn)) call.dns.push(p.dn);
    this.learn(call, p, prev);
    return [
      ...this.ringing(call, p, prev, now),
      ...this.transferred(call, p, prev, movedFrom, now),
      ...this.answered(call, p, prev, now),
    ];
  }

  /** `call.ringing` for a new ringing leg. */
  private ringing(call: TrackedCall, p: Participant, prev: Participant | undefined, now: number): NewEvent[] {
    if (prev || p.status !== 'Ringing') return [];
    const k = key(p.dn, p.id);
    if (!call.rang.includes(p.dn)) call.rang.push(p.dn);
    // An inbound call first seen at a monitored IVR or queue: the first extension that rings is the callee.
    const own = call.ownLegs.includes(k);
    if (!own && call.direction !== 'outbound' && call.callee?.kind !== 'extension' && this.isExtension(p.dn))
      call.callee = localParty(p, this.dnTypes.get(p.dn));
    const at = new Date(now).toISOString();
    return [this.event(call, 'call.ringing', `ringing|${k}`, now, { ...this.endpoint(p), ringingAt: at })];
  }

  /**
   * `call.transferred` for a leg that arrived by a transfer. Blind: a new leg rings with
   * `referred_by_dn`. Attended: an already connected leg moves over from the consultation call
   * (the transferring extension made that call).
   */
  private transferred(
    call: TrackedCall,
    p: Participant,
    prev: Participant | undefined,
    movedFrom: TrackedCall | undefined,
    now: number,
  ): NewEvent[] {
    if (prev || (!p.referred_by_dn && !movedFrom)) return [];
    return [
      this.event(call, 'call.transferred', `transferred|${key(p.dn, p.id)}`, now, {
        from: p.referred_by_dn || movedFrom?.caller?.dn || null,
        to: p.dn,
        kind: movedFrom ? 'attended' : 'blind',
        transferredAt: new Date(now).toISOString(),
      }),
    ];
  }

  /** `call.answered` when a leg turns Connected and that is an answer (see {@link answers}). */
  private answered(
    call: TrackedCall,
    p: Participant,
    prev: Participant | undefined,
    now: number,
  ): NewEvent[] {
    const k = key(p.dn, p.id);
    const own = call.ownLegs.includes(k);
    if (p.status !== 'Connected' || prev?.status === 'Connected' || !this.answers(call, p, own)) return [];
    if (call.answeredAt === null) {
      call.answeredAt = now;
      call.answeredBy = own ? (remoteParty(p).number ?? p.party_dn) : p.dn;
    }
    if (!own) call.callee = localParty(p, this.dnTypes.get(p.dn));
    return [
      this.event(call, 'call.answered', `answered|${k}`, now, {
        ...this.endpoint(p),
        answeredAt: new Date(now).toISOString(),
        ringDurationSeconds: seconds(now - call.startedAt),
      }),
    ];
  }

  /** The DN a ringing or answered event is about. */
  private endpoint(p: Participant): { extension: string; extensionKind: PartyKind } {
    return { extension: p.dn, extensionKind: localParty(p, this.dnTypes.get(p.dn)).kind };
  }

  /**
   * Whether `p` turning Connected is an answer. Only a person answers: an extension, or, on an
   * outbound call, the outside party (the caller's own leg connects). A queue or IVR leg is
   * Connected while it plays prompts or music to a caller who is still waiting (even while
   * agents ring), and a route point's leg while an app holds the call: neither is an answer.
   */
  private answers(call: TrackedCall, p: Participant, own: boolean): boolean {
    return own ? call.direction === 'outbound' : this.isExtension(p.dn);
  }

  /** True for an extension DN (or one whose type the snapshot has not told yet). */
  private isExtension(dn: string): boolean {
    const t = this.dnTypes.get(dn);
    return t === undefined || t === 'Wextension';
  }

  /**
   * A participant seen under another callid before has moved (an attended-transfer join):
   * it leaves its old call, which may end now instead of when the new call ends. Returns the
   * old call.
   */
  private takeFromOtherCall(k: string, call: TrackedCall): TrackedCall | undefined {
    for (const other of this.calls.values()) {
      if (other === call || !other.parts[k]) continue;
      delete other.parts[k];
      if (Object.keys(other.parts).length === 0) other.emptySince = this.now();
      return other;
    }
    return undefined;
  }

  /** Applies a Remove: drops the participant; an empty call waits out the grace period in {@link sweep}. */
  remove(dn: string, id: number): void {
    for (const call of this.calls.values()) {
      if (!call.parts[key(dn, id)]) continue;
      delete call.parts[key(dn, id)];
      if (Object.keys(call.parts).length === 0) call.emptySince = this.now();
    }
  }

  /**
   * Aligns the state with a full `GET /callcontrol` snapshot: applies every participant and
   * removes the tracked ones the PBX no longer has (a Remove missed while disconnected).
   */
  reconcile(snapshot: Participant[]): NewEvent[] {
    const present = new Set(snapshot.map((p) => key(p.dn, p.id)));
    const out = snapshot.flatMap((p) => this.upsert(p));
    for (const call of this.calls.values()) {
      for (const k of Object.keys(call.parts)) {
        if (present.has(k)) continue;
        delete call.parts[k];
        if (Object.keys(call.parts).length === 0) {
          call.emptySince = this.now();
          call.endedByReconcile = true;
        }
      }
    }
    return out;
  }

  /** True when some call has been empty for the grace period (so an alive-check is worth asking). */
  hasDueEnds(): boolean {
    return this.dueEnds().size > 0;
  }

  /** The calls empty for the grace period: callid → since when. */
  dueEnds(): Map<number, number> {
    const now = this.now();
    const due = new Map<number, number>();
    for (const c of this.calls.values())
      if (c.emptySince !== null && now - c.emptySince >= this.o.endGraceMs) due.set(c.callid, c.emptySince);
    return due;
  }

  /**
   * Ends calls that have been empty for the grace period. `isAlive` (XAPI ActiveCalls) may keep
   * a call open that waits in an IVR or queue where no monitored participant is visible: `true`
   * (the PBX still has it: wait another grace period), `false` (it does not: end it), `null`
   * (unknown, the check could not be made: keep it open and ask again later; its end time stays
   * when it was last seen). A call unconfirmed for `maxUnconfirmedMs` ends anyway, `reconciled`.
   */
  sweep(isAlive: (callid: number, emptySince: number) => boolean | null = () => false): NewEvent[] {
    const now = this.now();
    const out: NewEvent[] = [];
    for (const call of [...this.calls.values()]) {
      if (call.emptySince === null || now - call.emptySince < this.o.endGraceMs) continue;
      const alive = isAlive(call.callid, call.emptySince);
      if (alive === true) {
        call.emptySince = now;
        continue;
      }
      if (alive === null) {
        if (now - call.emptySince < (this.o.maxUnconfirmedMs ?? MAX_UNCONFIRMED_MS)) continue;
        call.endedByReconcile = true;
      }
      this.calls.delete(call.callid);
      out.push(...this.endEvents(call, call.emptySince));
    }
    return out;
  }

  /** The live callid of a call that ended recently with matching start time (±tolerance) and number. */
  findRecentCall(startedAt: number, numbers: string[], toleranceMs = 15_000): string | null {
    return this.recent.find(startedAt, numbers, toleranceMs);
  }

  /** Serialisable state, persisted so a restarted worker keeps the same event ids and notices ends. */
  snapshot(): TrackedCall[] {
    return [...this.calls.values()];
  }

  /** Restores state written by {@link snapshot}. */
  restore(calls: TrackedCall[]): void {
    for (const c of calls)
      if (typeof c?.callid === 'number' && !this.calls.has(c.callid)) this.calls.set(c.callid, c);
  }

  private learn(call: TrackedCall, p: Participant, prev: Participant | undefined): void {
    const k = key(p.dn, p.id);
    if (!prev && p.status === 'Dialing' && !call.caller) {
      call.ownLegs.push(k);
      call.caller = localParty(p, this.dnTypes.get(p.dn));
    } else if (!prev && !call.caller) {
      call.direction = p.party_dn_type === 'Wexternalline' ? 'inbound' : 'internal';
      call.caller = remoteParty(p);
      call.callee = localParty(p, this.dnTypes.get(p.dn));
    }
    if (call.ownLegs.includes(k)) this.learnFarEnd(call, p, prev);
    if (call.direction === 'inbound' && call.did === null) {
      const raw = dialledDid(p, this.o.trunkDids);
      call.did = raw && normalizeDid(raw, this.o.didCountry);
      call.didRaw = raw;
    }
    // The caller's own leg at the voicemail special menu, connected: a mailbox took the call.
    if (call.ownLegs.includes(k) && p.party_dn_type === 'Wspecialmenu' && p.status === 'Connected')
      call.voicemail = true;
    if (!call.queue && p.on_behalf_of_type === 'Wqueue' && p.on_behalf_of_dn) call.queue = p.on_behalf_of_dn;
    if (!call.queue && this.dnTypes.get(p.dn) === 'Wqueue') call.queue = p.dn;
  }

  /**
   * The caller's own leg names the far end, and it may change: a `makecall` leg starts unrouted
   * (`party_dn_type` `None`, `party_dn` empty) until an Upsert names the trunk (outbound) or an
   * extension; a call the callee does not take moves on to a special menu (`Wspecialmenu`:
   * voicemail). The direction is decided by the first routed party; the callee follows the party
   * until someone answers.
   */
  private learnFarEnd(call: TrackedCall, p: Participant, prev: Participant | undefined): void {
    if (call.direction === 'unknown' && p.party_dn_type !== 'None')
      call.direction = p.party_dn_type === 'Wexternalline' ? 'outbound' : 'internal';
    const moved = !prev || prev.party_dn !== p.party_dn || prev.party_dn_type !== p.party_dn_type;
    if (moved && call.answeredAt === null) call.callee = remoteParty(p);
  }

  private extensionsOf(call: TrackedCall): string[] {
    return call.dns.filter((dn) => this.isExtension(dn));
  }

  private event(call: TrackedCall, type: EventType, transition: string, at: number, data: object): NewEvent {
    return callEvent(call, this.extensionsOf(call), type, transition, at, data);
  }

  private endEvents(call: TrackedCall, endedAt: number): NewEvent[] {
    this.recent.record(call);
    return endEvents(call, this.extensionsOf(call), endedAt);
  }
}
