import { z } from 'zod';
import { directionSchema, isoDate, partySchema } from './common.js';

/**
 * Where a receiver fetches a recording's or voicemail's audio, from the relay (never from 3CX:
 * receivers get no 3CX credentials). The relay streams it from the PBX and honours `Range`.
 */
export const mediaLinkSchema = z.object({
  /** Relay URL that needs an API key with scope `recordings:read` (`Authorization: Bearer`). */
  url: z.string(),
  /** The same URL signed to work without a key until `expiresAt`; null when signing is off. */
  signedUrl: z.string().nullable(),
  /** When `signedUrl` stops working (ISO 8601 UTC), or null. */
  expiresAt: isoDate.nullable(),
  /** MIME type of the audio, e.g. `audio/wav`. */
  contentType: z.string(),
});
export type MediaLink = z.infer<typeof mediaLinkSchema>;

/**
 * `call.recording_ready`: 3CX has a recording of (a part of) a call. One event per recording
 * (3CX `Recordings.Id`), with the call's ids when the relay could match it. Opt-in.
 */
export const callRecordingReadyData = z.object({
  /** 3CX recording id (`Recordings.Id`), as a string. */
  recordingId: z.string(),
  /** The live 3CX callid of the call, when matched; else null. */
  callId: z.string().nullable(),
  /** The call's `call_history_id`, when matched; else null. */
  callHistoryId: z.string().nullable(),
  direction: directionSchema,
  /** The recorded parties: `From*` and `To*` of the recording. */
  from: partySchema,
  to: partySchema,
  /** The dialled number (`FromDidNumber`/`ToDidNumber`), when 3CX gives one. */
  did: z.string().nullable(),
  /** The queue the call went through, when matched; else null. */
  queue: z.string().nullable(),
  startedAt: isoDate,
  endedAt: isoDate.nullable(),
  durationSeconds: z.number().min(0).nullable(),
  audio: mediaLinkSchema,
  /** 3CX's transcription, summary and sentiment score (AI features), when it has them. */
  transcription: z.string().nullable(),
  summary: z.string().nullable(),
  sentimentScore: z.number().nullable(),
});

/**
 * `voicemail.received`: a caller left a message in a mailbox (a new row in 3CX's
 * `s_voicemail`). Opt-in.
 */
export const voicemailReceivedData = z.object({
  /** 3CX voicemail id (`s_voicemail.id`), as a string. */
  voicemailId: z.string(),
  /** The mailbox: the extension the message is for. */
  mailbox: z.string(),
  mailboxName: z.string().nullable(),
  caller: partySchema,
  durationSeconds: z.number().min(0).nullable(),
  /** When 3CX stored the message (ISO 8601 UTC). */
  receivedAt: isoDate,
  transcription: z.string().nullable(),
  /** The call the message came from (`cdroutput.call_history_id`), when 3CX links it; else null. */
  callHistoryId: z.string().nullable(),
  /** The live 3CX callid, when the relay saw the call; else null. */
  callId: z.string().nullable(),
  /** The dialled number of the call, when known. */
  did: z.string().nullable(),
  audio: mediaLinkSchema,
});
