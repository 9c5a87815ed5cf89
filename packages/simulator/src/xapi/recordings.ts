import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LegacyParty } from '../cdr/legacy-model.js';
import type { RecordingStore, SimRecording } from '../cdr/recordings.js';
import { sendODataError } from '../http/respond.js';
import { isoUtc } from '../util/clock.js';
import { recordingWav } from './recording-audio.js';

/** The `Pbx.Recording` fields ([OFFICIAL] swagger 20.0.10; `CanBeTranscribed` since 20.0.8). */
export const RECORDING_FIELDS = [
  'Id',
  'RecordingUrl',
  'ArchivedUrl',
  'IsArchived',
  'StartTime',
  'EndTime',
  'FromDn',
  'FromDnType',
  'FromDisplayName',
  'FromCallerNumber',
  'FromDidNumber',
  'FromIdParticipant',
  'FromCrmContact',
  'ToDn',
  'ToDnType',
  'ToDisplayName',
  'ToCallerNumber',
  'ToDidNumber',
  'ToIdParticipant',
  'ToCrmContact',
  'RefParticipantId',
  'CallType',
  'IsTranscribed',
  'CanBeTranscribed',
  'Transcription',
  'Summary',
  'SentimentScore',
  'TranscriptionResult',
] as const;

const side = (prefix: 'From' | 'To', p: LegacyParty) => ({
  [`${prefix}Dn`]: p.dn,
  [`${prefix}DnType`]: p.dnType,
  [`${prefix}DisplayName`]: p.displayName || null,
  [`${prefix}CallerNumber`]: p.callerNumber || null,
  [`${prefix}DidNumber`]: p.didNumber,
  [`${prefix}IdParticipant`]: p.participantId,
  [`${prefix}CrmContact`]: null,
});

/** One recording as a `Pbx.Recording` item. */
export function recordingItem(r: SimRecording): Record<string, unknown> {
  return {
    Id: r.id,
    RecordingUrl: r.url,
    ArchivedUrl: null,
    IsArchived: false,
    StartTime: isoUtc(r.start),
    EndTime: isoUtc(r.end),
    ...side('From', r.from),
    ...side('To', r.to),
    RefParticipantId: (r.recordedSide === 'src' ? r.from : r.to).participantId,
    CallType: r.callType,
    IsTranscribed: r.transcription !== null,
    CanBeTranscribed: true,
    Transcription: r.transcription,
    Summary: r.summary,
    SentimentScore: r.sentimentScore,
    TranscriptionResult: null,
  };
}

/** Every recording as `Pbx.Recording` items. */
export function listRecordings(store: RecordingStore): Record<string, unknown>[] {
  return store.list.map(recordingItem);
}

/**
 * `GET /xapi/v1/Recordings/Pbx.DownloadRecording(recId=N)`: the WAV file, whole or, with
 * `Range: bytes=a-b` (and `ranges`), the part asked for (206, `Content-Range`; 416 past the end).
 * Whether 3CX honours ranges is [UNVERIFIED]: `ranges: false` answers every request whole.
 */
export function downloadRecording(
  req: IncomingMessage,
  res: ServerResponse,
  store: RecordingStore,
  id: number,
  ranges: boolean,
): void {
  const rec = store.get(id);
  if (!rec) return sendODataError(res, 404, 'NotFound', `Recording ${id} not found.`);
  const body = recordingWav(rec);
  const headers = {
    'content-type': 'audio/wav',
    'content-disposition': `attachment; filename="${rec.url.split('/').pop()?.replace(/"/g, '')}"`,
    ...(ranges ? { 'accept-ranges': 'bytes' } : {}),
  };
  const m = ranges ? /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '') : null;
  if (!m || (m[1] === '' && m[2] === '')) {
    res.writeHead(200, { ...headers, 'content-length': body.length });
    return void res.end(req.method === 'HEAD' ? undefined : body);
  }
  const size = body.length;
  let start = m[1] === '' ? size - Number(m[2]) : Number(m[1]);
  let end = m[1] === '' || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  start = Math.max(0, start);
  if (start >= size || end < start) {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-length': 0 });
    return void res.end();
  }
  end = Math.min(end, size - 1);
  res.writeHead(206, {
    ...headers,
    'content-range': `bytes ${start}-${end}/${size}`,
    'content-length': end - start + 1,
  });
  res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
}
