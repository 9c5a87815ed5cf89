import type { CdrParty } from '../cdr/cdr-row.js';
import { typeOf, type Call, type CallerInfo } from './call.js';
import type { Did, DnEntry, PbxDirectory } from './directory.js';
import type { Participant } from './participant.js';

type LegFields = Omit<Participant, 'id' | 'dn' | 'callid' | 'legid' | 'device_id'>;

/**
 * A caller from the outside on `did`'s trunk. `displayName`: the name 3CX shows the destination
 * (`source_presentation`), when it has one; else the CLI is shown.
 */
export function externalCaller(cli: string, did: Did, displayName: string | null): CallerInfo {
  return { external: true, number: cli, name: cli, dn: did.trunk, did, presentation: displayName ?? cli };
}

/** An internal caller (extension or route point). */
export function internalCaller(dn: DnEntry, dialled?: string): CallerInfo {
  return {
    external: false,
    number: dn.number,
    name: dn.name,
    dn,
    did: null,
    ...(dialled ? { dialled } : {}),
    presentation: dn.name, // [INFERRED]: the name shown to the callee
  };
}

/**
 * The caller as a CDR party. Inbound legs carry the trunk label in `source_dn_name` and the
 * DID label in the participant name ([FIELD]: "GW - 32655144", ":BBS Cheltenham").
 */
export function callerParty(caller: CallerInfo, participantId: string): CdrParty {
  if (caller.external) {
    return {
      participantId,
      entityType: 'external_line',
      dnNumber: caller.dn.number,
      dnType: caller.dn.cdrDnType,
      dnName: caller.dn.name,
      participantName: caller.did?.label ?? '',
      phoneNumber: caller.number,
      trunkDid: caller.did?.number ?? null,
      isIncoming: true,
      isAlreadyConnected: false,
      groupName: null,
    };
  }
  return dnParty(caller.dn, participantId);
}

/**
 * A PBX DN (extension, IVR, queue, ring group) as a CDR party; `*_group_name` is its department
 * ([OFFICIAL] guide: "Department"; `__DEFAULT__` for the default one; field review §1.11).
 */
export function dnParty(dn: DnEntry, participantId: string): CdrParty {
  return {
    participantId,
    entityType: dn.entityType,
    dnNumber: dn.number,
    dnType: dn.cdrDnType,
    dnName: dn.name,
    participantName: dn.name,
    phoneNumber: dn.number,
    trunkDid: null,
    isIncoming: false,
    isAlreadyConnected: false,
    groupName: dn.department,
  };
}

/** A number on the outside reached over the trunk, as a CDR party. */
export function outsideParty(dir: PbxDirectory, number: string, participantId: string): CdrParty {
  return {
    participantId,
    entityType: 'external_line',
    dnNumber: dir.trunk.number,
    dnType: dir.trunk.cdrDnType,
    dnName: dir.trunk.name,
    participantName: '',
    phoneNumber: number,
    trunkDid: dir.dids[0]?.number ?? null,
    isIncoming: false,
    isAlreadyConnected: false,
    groupName: null,
  };
}

/** Who routed the call, as seen on a ringing leg. */
export interface RingingContext {
  onBehalfOf?: DnEntry | null;
  referredBy?: DnEntry | null;
}

/**
 * Fields of a leg that rings at a DN: the party is the caller. Inbound trunk calls show the
 * trunk DN as `party_dn`, an EMPTY `party_did` and `originated_by_dn: "ROUTER"` ([FIELD S4]).
 */
export function ringingFields(call: Call, ctx: RingingContext = {}): LegFields {
  const c = call.caller;
  const inbound = c.external;
  return {
    status: 'Ringing',
    party_caller_name: c.name,
    party_dn: c.dn.number,
    party_caller_id: c.number,
    party_did: inbound && call.ctx.fillPartyDid ? (c.did?.number ?? '') : '',
    party_dn_type: c.dn.type,
    direct_control: false,
    originated_by_dn: inbound ? 'ROUTER' : '',
    originated_by_type: inbound ? 'Wroutepoint' : 'None',
    referred_by_dn: ctx.referredBy?.number ?? '',
    referred_by_type: typeOf(ctx.referredBy),
    on_behalf_of_dn: ctx.onBehalfOf?.number ?? '',
    on_behalf_of_type: typeOf(ctx.onBehalfOf),
  };
}

/** Fields of the caller's own leg (outbound or internal call): the party is the callee. */
export function dialingFields(call: Call, target: { dn: DnEntry; number: string; name: string }): LegFields {
  return {
    status: 'Dialing',
    party_caller_name: target.name,
    party_dn: target.dn.number,
    party_caller_id: target.number,
    party_did: '',
    party_dn_type: target.dn.type,
    direct_control: call.caller.dn.type === 'Wroutepoint',
    originated_by_dn: '',
    originated_by_type: 'None',
    referred_by_dn: '',
    referred_by_type: 'None',
    on_behalf_of_dn: '',
    on_behalf_of_type: 'None',
  };
}

/**
 * Fields of a `makecall` leg before 3CX has routed it: `Dialing`, `party_dn` empty and
 * `party_dn_type` `None`, the dialled number in `party_caller_id` ([FIELD] PHP auto-dialler
 * capture of a makecall result). A later Upsert fills in the party.
 */
export function unroutedFields(call: Call, dialled: string): LegFields {
  return {
    ...dialingFields(call, { dn: call.caller.dn, number: dialled, name: '' }),
    party_dn: '',
    party_dn_type: 'None',
  };
}
