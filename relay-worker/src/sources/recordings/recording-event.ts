import {
  eventId,
  type EventData,
  type MediaLink,
  type NewEvent,
  type Party,
  type PartyKind,
} from '@3cx-relay/events';
import type { XapiRecording } from './xapi-recordings.js';

/** What the relay's event log says about the call a recording belongs to. */
export interface CallMatch {
  callId: string | null;
  callHistoryId: string | null;
  queue: string | null;
  did: string | null;
}

/** Legacy DN type codes in `Recordings.FromDnType/ToDnType` (0/1/2 [SECONDARY], others [INFERRED]). */
const KIND: Record<number, PartyKind> = {
  0: 'extension',
  1: 'external',
  2: 'ring_group',
  4: 'queue',
  6: 'ivr',
  14: 'route_point',
};

function party(dn: string | null, type: number | null, number: string | null, name: string | null): Party {
  const kind = KIND[type ?? -1] ?? 'unknown';
  return {
    number: (kind === 'extension' ? dn : number) || dn || null,
    name: name || null,
    dn: dn || null,
    kind,
  };
}

const DIRECTION = { InboundExternal: 'inbound', OutboundExternal: 'outbound', Local: 'internal' } as const;

/** The `call.recording_ready` event of a recording, seen at `at`. */
export function recordingReadyEvent(
  r: XapiRecording,
  match: CallMatch,
  audio: MediaLink,
  at: Date,
): NewEvent {
  const from = party(r.FromDn, r.FromDnType, r.FromCallerNumber, r.FromDisplayName);
  const to = party(r.ToDn, r.ToDnType, r.ToCallerNumber, r.ToDisplayName);
  const start = r.StartTime ? new Date(r.StartTime) : at;
  const end = r.EndTime ? new Date(r.EndTime) : null;
  const did = r.ToDidNumber || r.FromDidNumber || match.did;
  const data: EventData<'call.recording_ready'> = {
    recordingId: String(r.Id),
    callId: match.callId,
    callHistoryId: match.callHistoryId,
    direction: DIRECTION[r.CallType as keyof typeof DIRECTION] ?? 'unknown',
    from,
    to,
    did,
    queue: match.queue,
    startedAt: start.toISOString(),
    endedAt: end?.toISOString() ?? null,
    durationSeconds: end ? Math.max(0, Math.round((end.getTime() - start.getTime()) / 100) / 10) : null,
    audio,
    transcription: r.Transcription || null,
    summary: r.Summary || null,
    sentimentScore: typeof r.SentimentScore === 'number' ? r.SentimentScore : null,
  };
  return {
    id: eventId('call.recording_ready', 'xapi-recording', `${r.Id}|${r.StartTime ?? ''}`),
    type: 'call.recording_ready',
    occurredAt: at,
    callId: match.callId,
    callHistoryId: match.callHistoryId,
    extensions: [from, to].filter((p) => p.kind === 'extension' && p.dn).map((p) => p.dn!),
    dids: did ? [did] : [],
    queues: match.queue ? [match.queue] : [],
    data,
  };
}
