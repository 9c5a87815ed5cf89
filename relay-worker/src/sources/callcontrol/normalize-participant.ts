import { z } from 'zod';
import type { Party, PartyKind } from '@3cx-relay/events';

/** A Call Control participant (the 18 snake_case fields 3CX documents); unknown extra fields are dropped. */
export const participantSchema = z.object({
  id: z.number().int(),
  status: z.string(),
  dn: z.string(),
  party_caller_name: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  party_dn: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  party_caller_id: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  party_did: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  device_id: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  party_dn_type: z
    .string()
    .nullish()
    .transform((v) => v ?? 'None'),
  direct_control: z.boolean().nullish(),
  originated_by_dn: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  originated_by_type: z
    .string()
    .nullish()
    .transform((v) => v ?? 'None'),
  referred_by_dn: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  referred_by_type: z
    .string()
    .nullish()
    .transform((v) => v ?? 'None'),
  on_behalf_of_dn: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  on_behalf_of_type: z
    .string()
    .nullish()
    .transform((v) => v ?? 'None'),
  callid: z.number().int(),
  legid: z
    .number()
    .int()
    .nullish()
    .transform((v) => v ?? 0),
});
export type Participant = z.infer<typeof participantSchema>;

/** A DN state object of `GET /callcontrol`. */
export const dnStateSchema = z.object({
  dn: z.string(),
  type: z.string().nullish(),
  participants: z.array(z.unknown()).nullish(),
});

/** Parses a participant; null when the object lacks a field the relay relies on. */
export function normalizeParticipant(raw: unknown): Participant | null {
  const r = participantSchema.safeParse(raw);
  return r.success ? r.data : null;
}

/**
 * Party kinds of Call Control DN types. `Wspecialmenu` is voicemail and 3CX's other special
 * menus ([FIELD] captures: `party_dn` "666"); `None` (an unrouted `makecall` leg) and any type
 * not listed are `unknown`.
 */
const KIND_BY_TYPE: Record<string, PartyKind> = {
  Wextension: 'extension',
  Wexternalline: 'external',
  Wqueue: 'queue',
  Wringgroup: 'ring_group',
  Wivr: 'ivr',
  Wroutepoint: 'route_point',
  Wspecialmenu: 'voicemail',
};

/** Maps a Call Control DN type (`Wextension`, …) to a party kind; unknown types are `unknown`. */
export function kindOfType(type: string | null | undefined): PartyKind {
  return KIND_BY_TYPE[type ?? ''] ?? 'unknown';
}

/** The other side of a participant (`party_*` fields) as a {@link Party}. */
export function remoteParty(p: Participant): Party {
  const kind = kindOfType(p.party_dn_type);
  return {
    number: p.party_caller_id || p.party_dn || null,
    name: p.party_caller_name || null,
    dn: p.party_dn || null,
    kind,
  };
}

/** The monitored DN of a participant as a {@link Party}. */
export function localParty(p: Participant, dnType: string | undefined): Party {
  return { number: p.dn, name: null, dn: p.dn, kind: dnType ? kindOfType(dnType) : 'extension' };
}

/** The dialled number of an inbound trunk participant: `party_did`, else the configured DID of its trunk. */
export function dialledDid(p: Participant, trunkDids: Record<string, string>): string | null {
  if (p.party_did) return p.party_did;
  if (p.party_dn_type === 'Wexternalline' && p.status !== 'Dialing') return trunkDids[p.party_dn] ?? null;
  return null;
}
