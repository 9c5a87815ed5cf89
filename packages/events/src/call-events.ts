import { z } from 'zod';
import { callContextShape, isoDate, outcomeSchema, partySchema } from './common.js';
import { dispositionSchema } from './outcome.js';

/**
 * The call's disposition in the six-value outcome model (`voicemail`, `busy`, `answered`,
 * `abandoned`, `missed`, `rejected`; see the events README). Added within schema version 1 and
 * always sent since; events stored before it lack it (their `outcome` says the same in four values).
 */
export const dispositionField = dispositionSchema.optional();

/** `call.ringing`: a PBX endpoint (IVR, queue, ring group or extension) starts ringing for a call. */
export const callRingingData = z.object({
  ...callContextShape,
  /** The DN that rings. */
  extension: z.string(),
  /** What that DN is. */
  extensionKind: partySchema.shape.kind,
  ringingAt: isoDate,
});

/** `call.answered`: an endpoint answered (connected); the first answer by an extension sets `answeredAt` of the call. */
export const callAnsweredData = z.object({
  ...callContextShape,
  /** The DN that answered. */
  extension: z.string(),
  extensionKind: partySchema.shape.kind,
  answeredAt: isoDate,
  /** Seconds from the first ring of the call to this answer. */
  ringDurationSeconds: z.number().nonnegative(),
});

/** How a call was transferred. */
export const transferKindSchema = z.enum(['blind', 'attended']);
export type TransferKind = z.infer<typeof transferKindSchema>;

/** `call.transferred`: the call moved to another endpoint through a transfer (blind or attended). */
export const callTransferredData = z.object({
  ...callContextShape,
  /** The DN that transferred the call (3CX `referred_by_dn`), null when unknown. */
  from: z.string().nullable(),
  /** The DN the call was transferred to. */
  to: z.string(),
  /**
   * `blind`: the target rang with the call already handed over. `attended`: the transferring
   * extension talked to the target on a consultation call first, then joined them. Added within
   * schema version 1 and always sent since: only events stored before it lack it, and those were
   * all blind (the only kind reported then).
   */
  kind: transferKindSchema.optional(),
  transferredAt: isoDate,
});

/** `call.missed`: the call ended without any extension answering; sent once per call, after `call.ended`. */
export const callMissedData = z.object({
  ...callContextShape,
  /** `missed` (rang, nobody answered; also a call that ended in a mailbox) or `abandoned` (caller gave up in a queue). */
  outcome: z.enum(['missed', 'abandoned']),
  /** `missed`, `abandoned`, or `voicemail` (a mailbox took the call). */
  disposition: dispositionField,
  /** Every extension that rang for the call. */
  ringingExtensions: z.array(z.string()),
  startedAt: isoDate,
  endedAt: isoDate,
  ringDurationSeconds: z.number().nonnegative(),
});

/** `call.ended`: the last participant of the call is gone. Sent once per call. */
export const callEndedData = z.object({
  ...callContextShape,
  outcome: outcomeSchema,
  /** The live half tells `voicemail` when the caller's own leg reached a mailbox; it cannot see `busy`. */
  disposition: dispositionField,
  startedAt: isoDate,
  /** First answer by an extension, or null. */
  answeredAt: isoDate.nullable(),
  endedAt: isoDate,
  /** Seconds from start to the first answer (or to the end when unanswered). */
  ringDurationSeconds: z.number().nonnegative(),
  /** Seconds from the first answer to the end; 0 when unanswered. */
  talkDurationSeconds: z.number().nonnegative(),
  /** The extension that answered first, or null. */
  answeredBy: z.string().nullable(),
  /** Every DN that took part (rang or talked). */
  participants: z.array(z.string()),
  /** True when the end was inferred by reconciliation after the live connection missed it. */
  reconciled: z.boolean(),
});
