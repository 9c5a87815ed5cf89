import type { DnType } from './directory.js';

/** `*_type` value for an empty DN reference, as captured ([FIELD S4]). */
export type PartyType = DnType | 'None';

/** A Call Control participant object: exactly the 18 snake_case fields of the official example body. */
export interface Participant {
  id: number;
  status: 'Dialing' | 'Ringing' | 'Connected';
  dn: string;
  party_caller_name: string;
  party_dn: string;
  party_caller_id: string;
  /** Empty on inbound trunk calls: the real V20 quirk ([FIELD S6]). */
  party_did: string;
  /** Absent on the legs of an extension with no registered phone ([OFFICIAL] `not_registered_dev`). */
  device_id?: string;
  party_dn_type: PartyType;
  direct_control: boolean;
  originated_by_dn: string;
  originated_by_type: PartyType;
  referred_by_dn: string;
  referred_by_type: PartyType;
  on_behalf_of_dn: string;
  on_behalf_of_type: PartyType;
  callid: number;
  legid: number;
}

/** A Call Control device object. */
export interface Device {
  dn: string;
  device_id: string;
  user_agent: string;
}

/** The names of the 18 participant fields, in the order 3CX documents them. */
export const PARTICIPANT_FIELDS = [
  'id',
  'status',
  'dn',
  'party_caller_name',
  'party_dn',
  'party_caller_id',
  'party_did',
  'device_id',
  'party_dn_type',
  'direct_control',
  'originated_by_dn',
  'originated_by_type',
  'referred_by_dn',
  'referred_by_type',
  'on_behalf_of_dn',
  'on_behalf_of_type',
  'callid',
  'legid',
] as const;

/** The device of an extension: one desk phone with a SIP contact, as in the captures. */
export function deviceFor(dn: string, index: number): Device {
  return { dn, device_id: `sip:${dn}@127.0.0.1:${5060 + index}`, user_agent: 'Yealink SIP-T46U 66.86.0.15' };
}
