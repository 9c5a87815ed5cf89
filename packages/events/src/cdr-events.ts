import { z } from 'zod';
import { directionSchema, isoDate, outcomeSchema, partySchema } from './common.js';

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
  did: z.string().nullable(),
  queue: z.string().nullable(),
  outcome: outcomeSchema,
  startedAt: isoDate,
  answeredAt: isoDate.nullable(),
  endedAt: isoDate,
  ringDurationSeconds: z.number().nonnegative(),
  talkDurationSeconds: z.number().nonnegative(),
  answeredBy: z.string().nullable(),
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
