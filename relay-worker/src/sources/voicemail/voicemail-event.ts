import type pg from 'pg';
import { eventId, type EventData, type MediaLink, type NewEvent, type Party } from '@3cx-relay/events';
import type { VoicemailRow } from './voicemail-rows.js';

/** What the relay's event log says about the call a message came from. */
export interface VoicemailCall {
  callHistoryId: string | null;
  callId: string | null;
  did: string | null;
  queue: string | null;
  mailboxName: string | null;
  /** The caller's kind from the call's CDR (`external_line` → external). */
  callerKind: Party['kind'] | null;
  /** True when the mailbox's CDR row and its flow's `call.completed` are in the log. */
  found: boolean;
}

/** The parts of a `cdr.created` the lookup reads. */
interface CdrData {
  source?: { entityType?: string | null };
  destination?: { dnName?: string | null };
}

/**
 * The call of a message from the relay's own event log (no PBX query): the `cdr.created` whose
 * destination participant is the message's `cdr_participant_id`, and that flow's
 * `call.completed` (callid, DID, queue) when it is in.
 */
export async function voicemailCall(pool: pg.Pool, participantId: string | null): Promise<VoicemailCall> {
  const none: VoicemailCall = {
    callHistoryId: null,
    callId: null,
    did: null,
    queue: null,
    mailboxName: null,
    callerKind: null,
    found: false,
  };
  if (!participantId) return none;
  const res = await pool.query<{ call_history_id: string; data: CdrData }>(
    `SELECT call_history_id, data FROM events
      WHERE type = 'cdr.created' AND data->'destination'->>'participantId' = $1
        AND created_at >= now() - interval '2 days'
      ORDER BY sequence DESC LIMIT 1`,
    [participantId],
  );
  const cdr = res.rows[0];
  if (!cdr) return none;
  const done = await pool.query<{
    call_id: string | null;
    data: { did?: string | null; queue?: string | null };
  }>(
    `SELECT call_id, data FROM events WHERE type = 'call.completed' AND call_history_id = $1
      ORDER BY sequence DESC LIMIT 1`,
    [cdr.call_history_id],
  );
  const summary = done.rows[0];
  const source = cdr.data.source;
  return {
    callHistoryId: cdr.call_history_id,
    callId: summary?.call_id ?? null,
    did: summary?.data.did ?? null,
    queue: summary?.data.queue ?? null,
    mailboxName: cdr.data.destination?.dnName ?? null,
    callerKind:
      source?.entityType === 'external_line'
        ? 'external'
        : source?.entityType === 'extension'
          ? 'extension'
          : null,
    found: summary !== undefined,
  };
}

/** The `voicemail.received` event of a message, seen at `at`. */
export function voicemailReceivedEvent(
  r: VoicemailRow,
  call: VoicemailCall,
  audio: MediaLink,
  at: Date,
): NewEvent {
  const caller: Party = {
    number: r.caller || null,
    name: r.caller_name || null,
    dn: null,
    kind: call.callerKind ?? (r.caller && /^\+|^\d{7,}$/.test(r.caller) ? 'external' : 'unknown'),
  };
  const data: EventData<'voicemail.received'> = {
    voicemailId: String(r.id),
    mailbox: r.callee ?? '',
    mailboxName: call.mailboxName,
    caller,
    durationSeconds: typeof r.duration === 'number' ? r.duration : null,
    receivedAt: (r.created_at ?? at).toISOString(),
    transcription: r.transcription || null,
    callHistoryId: call.callHistoryId,
    callId: call.callId,
    did: call.did,
    audio,
  };
  return {
    id: eventId('voicemail.received', 's_voicemail', `${r.id}|${r.wav_file ?? ''}`),
    type: 'voicemail.received',
    occurredAt: at,
    callId: call.callId,
    callHistoryId: call.callHistoryId,
    extensions: r.callee ? [r.callee] : [],
    dids: call.did ? [call.did] : [],
    queues: call.queue ? [call.queue] : [],
    data,
  };
}
