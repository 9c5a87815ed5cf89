import type { HistoryStore } from '../cdr/history-store.js';
import type { LegacyParty } from '../cdr/legacy-model.js';
import { isoDuration, isoUtc } from '../util/clock.js';

/** The fields of `Pbx.CallHistoryView` ([OFFICIAL] swagger, same in 20.0.7 and 20.0.10). */
export const CALL_HISTORY_FIELDS = [
  'SegmentId',
  'SegmentStartTime',
  'SegmentEndTime',
  'SegmentType',
  'SegmentActionId',
  'CallAnswered',
  'CallTime',
  'SrcId',
  'SrcParticipantId',
  'SrcRecId',
  'SrcDn',
  'SrcDnType',
  'SrcCallerNumber',
  'SrcDisplayName',
  'SrcExtendedDisplayName',
  'SrcInternal',
  'SrcExternal',
  'DstId',
  'DstParticipantId',
  'DstRecId',
  'DstDn',
  'DstDnType',
  'DstCallerNumber',
  'DstDisplayName',
  'DstExtendedDisplayName',
  'DstInternal',
  'DstExternal',
] as const;

function side(prefix: 'Src' | 'Dst', p: LegacyParty, recId: number | null): Record<string, unknown> {
  return {
    [`${prefix}Id`]: p.infoId,
    [`${prefix}ParticipantId`]: p.participantId,
    [`${prefix}RecId`]: recId,
    [`${prefix}Dn`]: p.dn,
    [`${prefix}DnType`]: p.dnType,
    [`${prefix}CallerNumber`]: p.callerNumber,
    [`${prefix}DisplayName`]: p.displayName,
    [`${prefix}ExtendedDisplayName`]: p.external ? p.callerNumber : `${p.dn} ${p.displayName}`,
    [`${prefix}Internal`]: !p.external,
    [`${prefix}External`]: p.external,
  };
}

/** The recording of a segment's side (`SrcRecId`/`DstRecId`), or null. */
export function recId(history: HistoryStore, segmentId: number, side: 'src' | 'dst'): number | null {
  const r = history.recordings.ofSegment(segmentId);
  return r?.recordedSide === side ? r.id : null;
}

/** Segment-level history, mirroring the `cl_segments` join ([INFERRED]). */
export function listCallHistory(history: HistoryStore): Record<string, unknown>[] {
  return history.calls.flatMap((c) =>
    c.legacy.segments.map((s) => ({
      SegmentId: s.id,
      SegmentStartTime: isoUtc(s.start),
      SegmentEndTime: isoUtc(s.end),
      SegmentType: s.type,
      SegmentActionId: s.actionId,
      CallAnswered: c.legacy.isAnswered,
      CallTime: isoDuration(s.talkMs),
      ...side('Src', s.src, recId(history, s.id, 'src')),
      ...side('Dst', s.dst, recId(history, s.id, 'dst')),
    })),
  );
}
