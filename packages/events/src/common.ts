import { z } from 'zod';

/** Version of the event schema. Bumped only for breaking changes; fields may be added within a version. */
export const SCHEMA_VERSION = 1;

/** Direction of a call as seen from the PBX. */
export const directionSchema = z.enum(['inbound', 'outbound', 'internal', 'unknown']);
export type Direction = z.infer<typeof directionSchema>;

/** What kind of PBX endpoint a party is. */
export const partyKindSchema = z.enum([
  'extension',
  'external',
  'queue',
  'ring_group',
  'ivr',
  'route_point',
  'voicemail',
  'unknown',
]);
export type PartyKind = z.infer<typeof partyKindSchema>;

/** One side of a call. */
export const partySchema = z.object({
  /** Phone number or extension number, e.g. "+4930123456" or "101"; null when withheld. */
  number: z.string().nullable(),
  /** Display name when known. */
  name: z.string().nullable(),
  /** The PBX DN (extension, queue, trunk number) this party is reached through, when known. */
  dn: z.string().nullable(),
  kind: partyKindSchema,
});
export type Party = z.infer<typeof partySchema>;

/**
 * How a call ended, in the four values of schema version 1. The full model has six
 * (`disposition`, see `outcome.ts`); `outcome` is that model folded into these four so that
 * receivers written for version 1 keep working: `voicemail` reads `missed`, `busy` `rejected`.
 */
export const outcomeSchema = z.enum(['answered', 'missed', 'abandoned', 'rejected']);
export type Outcome = z.infer<typeof outcomeSchema>;

/** ISO 8601 timestamp in UTC, e.g. "2026-01-10T09:14:55.123Z". */
export const isoDate = z.iso.datetime({ offset: true });

/** Fields every live call event carries in `data`. */
export const callContextShape = {
  /** 3CX callid, shared by every leg of the call (IVR → queue → agent). */
  callId: z.string(),
  /** 3CX call_history_id (UUID) once known, else null. */
  callHistoryId: z.string().nullable(),
  direction: directionSchema,
  caller: partySchema,
  callee: partySchema,
  /** The dialled number (DID) of an inbound call, mapped from the trunk when 3CX leaves it empty. */
  did: z.string().nullable(),
  /** The queue DN the call went through, if any. */
  queue: z.string().nullable(),
};
