import { EventEmitter } from 'node:events';
import type { Call } from './call.js';
import type { PbxDirectory } from './directory.js';
import { deviceFor, type Device, type Participant } from './participant.js';

/** A Call Control change: `0` Upsert, `1` Remove of `/callcontrol/{dn}/participants/{id}`. */
export interface ParticipantEvent {
  eventType: 0 | 1;
  dn: string;
  participantId: number;
}

/**
 * The live state Call Control serves: participants per DN, devices, active calls.
 * Emits `participant` ({@link ParticipantEvent}) on every change.
 */
export class PbxState extends EventEmitter {
  private readonly participants = new Map<string, Map<number, Participant>>();
  private readonly owners = new Map<number, Call>();
  readonly calls = new Map<number, Call>();
  private nextCall = 1264;
  private nextParticipant = 8106;
  /** Per participant: how many Upserts it has had, and the count a client last read by a GET. */
  private readonly versions = new Map<number, number>();
  private readonly served = new Map<number, number>();
  /** Whether a connected WebSocket client can see a DN (set by the WebSocket server). */
  watched: (dn: string) => boolean = () => false;

  constructor(
    readonly directory: PbxDirectory,
    /** Extensions with no registered device (see `unregisteredExtensions`). */
    private readonly unregistered: readonly string[] = [],
  ) {
    super();
  }

  /** True for an extension whose phone is not registered: its legs carry no `device_id`. */
  isUnregistered(dn: string): boolean {
    return this.unregistered.includes(dn);
  }

  newCallId(): number {
    return this.nextCall++;
  }

  newParticipantId(): number {
    return this.nextParticipant++;
  }

  /** Inserts or replaces a participant and emits an Upsert. */
  upsert(p: Participant, call: Call): void {
    let byId = this.participants.get(p.dn);
    if (!byId) this.participants.set(p.dn, (byId = new Map<number, Participant>()));
    byId.set(p.id, p);
    this.owners.set(p.id, call);
    this.versions.set(p.id, (this.versions.get(p.id) ?? 0) + 1);
    this.emit('participant', { eventType: 0, dn: p.dn, participantId: p.id } satisfies ParticipantEvent);
  }

  /** Removes a participant and emits a Remove (no-op when it is already gone). */
  remove(dn: string, id: number): void {
    if (!this.participants.get(dn)?.delete(id)) return;
    this.owners.delete(id);
    this.versions.delete(id);
    this.served.delete(id);
    this.emit('participant', { eventType: 1, dn, participantId: id } satisfies ParticipantEvent);
  }

  /** Records that a client read these participants (in their current state) by a GET. */
  markServed(ps: Iterable<Participant>): void {
    for (const p of ps) {
      const v = this.versions.get(p.id);
      if (v !== undefined) this.served.set(p.id, v);
    }
    this.emit('served');
  }

  /** True when a watching client has yet to read this participant's current state. */
  unread(p: Participant): boolean {
    return this.watched(p.dn) && this.served.get(p.id) !== this.versions.get(p.id);
  }

  /** Every live participant as `[dn, id]`, in insertion order. */
  liveParticipants(): Array<[dn: string, id: number]> {
    const out: Array<[string, number]> = [];
    for (const [dn, byId] of this.participants) for (const id of byId.keys()) out.push([dn, id]);
    return out;
  }

  participantsOf(dn: string): Participant[] {
    return [...(this.participants.get(dn)?.values() ?? [])];
  }

  participant(dn: string, id: number): Participant | undefined {
    return this.participants.get(dn)?.get(id);
  }

  /** The call a participant belongs to. */
  callOf(id: number): Call | undefined {
    return this.owners.get(id);
  }

  /** Registered devices of a DN: extensions have one desk phone (unless unregistered), other DNs none. */
  devicesOf(dn: string): Device[] {
    const index = this.directory.extensions.findIndex((e) => e.number === dn);
    return index >= 0 && !this.isUnregistered(dn) ? [deviceFor(dn, index + 2)] : [];
  }

  /** Forgets every participant and call without events (PBX restart). */
  wipe(): void {
    this.participants.clear();
    this.owners.clear();
    this.versions.clear();
    this.served.clear();
    this.calls.clear();
  }
}
