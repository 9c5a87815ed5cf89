import { z } from 'zod';
import { transferKindSchema, dispositionField } from './call-events.js';
import { directionSchema, isoDate, outcomeSchema, partySchema } from './common.js';

/** One transfer of a call, in the order they happened. */
export const callTransferSchema = z.object({
  /** `blind` (3CX `creation_method` `transfer`) or `attended` (`join`). */
  kind: transferKindSchema,
  /** The extension that had the call and handed it over, when known. */
  from: z.string().nullable(),
  /** The DN that got it. */
  to: z.string().nullable(),
  at: isoDate.nullable(),
});

/** One side of a CDR row, as stored by 3CX in `cdroutput` (columns `source_*` / `destination_*`). */
export const cdrPartySchema = z.object({
  participantId: z.string().nullable(),
  entityType: z.string().nullable(),
  dnNumber: z.string().nullable(),
  dnType: z.string().nullable(),
  dnName: z.string().nullable(),
  participantName: z.string().nullable(),
  phoneNumber: z.string().nullable(),
  trunkDid: z.string().nullable(),
  isIncoming: z.boolean().nullable(),
  isAlreadyConnected: z.boolean().nullable(),
  groupName: z.string().nullable(),
  billingSuffix: z.string().nullable(),
});
export type CdrParty = z.infer<typeof cdrPartySchema>;

/** `cdr.created`: 3CX wrote a finished call-detail record (one segment of a call flow). */
export const cdrCreatedData = z.object({
  cdrId: z.string(),
  callHistoryId: z.string(),
  mainCallHistoryId: z.string().nullable(),
  source: cdrPartySchema,
  destination: cdrPartySchema,
  baseCdrId: z.string().nullable(),
  originatingCdrId: z.string().nullable(),
  continuedInCdrId: z.string().nullable(),
  creationMethod: z.string().nullable(),
  creationForwardReason: z.string().nullable(),
  terminationReason: z.string().nullable(),
  terminationReasonDetails: z.string().nullable(),
  terminatedByParticipantId: z.string().nullable(),
  sourcePresentation: z.string().nullable(),
  startedAt: isoDate.nullable(),
  answeredAt: isoDate.nullable(),
  endedAt: isoDate.nullable(),
});

/** `call.completed`: every CDR of a call flow (`call_history_id`) is in; a summary of the whole call. */
export const callCompletedData = z.object({
  callHistoryId: z.string(),
  mainCallHistoryId: z.string().nullable(),
  /** The live 3CX callid when the relay could match it, else null. */
  callId: z.string().nullable(),
  direction: directionSchema,
  caller: partySchema,
  callee: partySchema,
  /**
   * The dialled number of an inbound call, from the `inbound_routing` row (else the trunk's DID,
   * else `PBX_TRUNK_DIDS`): in E.164 (`+41274842020`) when `PBX_DID_COUNTRY` is set and the
   * number parses, else as the trunk delivered it.
   */
  did: z.string().nullable(),
  /** The DID exactly as 3CX stored it (`0041274842020`, `0274842020`, `+41…`, `32655144`). */
  didRaw: z.string().nullable().optional(),
  /** The first queue the call reached. */
  queue: z.string().nullable(),
  outcome: outcomeSchema,
  disposition: dispositionField,
  startedAt: isoDate,
  answeredAt: isoDate.nullable(),
  endedAt: isoDate,
  ringDurationSeconds: z.number().nonnegative(),
  talkDurationSeconds: z.number().nonnegative(),
  /** Who answered first: an extension, or on an outbound call the number called. Never a queue, IVR or mailbox. */
  answeredBy: z.string().nullable(),
  /** The extension that was last on the call with the other party ("final resolver"), or null when nobody answered. */
  handledBy: z.string().nullable().optional(),
  /** How many times the call entered a queue (the same queue again counts again). */
  queueVisits: z.number().int().nonnegative().optional(),
  /** Transfers, oldest first; empty when none. */
  transfers: z.array(callTransferSchema).optional(),
  /** Queue callback: null when none was asked for, `answered` when the caller was reached, else `failed`. */
  callback: z.enum(['answered', 'failed']).nullable().optional(),
  /** 3CX department (`*_participant_group_name`) of `handledBy`, else of the last PBX DN the call reached (`__DEFAULT__` is the default department). */
  department: z.string().nullable().optional(),
  /**
   * True when rows of the flow are missing (deleted by a purge or the Data Connector before the
   * relay read them): the summary is what the remaining rows show, sent after a bounded wait.
   */
  partial: z.boolean().optional(),
  /** Extension DNs involved in the flow. */
  extensions: z.array(z.string()),
  cdrIds: z.array(z.string()),
});

/** `relay.test`: sent by the admin's "send test event" to check a receiver. */
export const relayTestData = z.object({
  message: z.string(),
  /** The subscription the test was sent to, when sent to one. */
  subscriptionId: z.string().nullable(),
});
