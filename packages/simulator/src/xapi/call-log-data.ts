import type { RecordingStore } from '../cdr/recordings.js';
import type { FinishedCall, HistoryStore } from '../cdr/history-store.js';
import { versionAtLeast, type VersionMode } from '../options.js';
import { isoDuration, isoUtc } from '../util/clock.js';
import type { CallLogParams } from './call-log-params.js';

/** `Pbx.CallLogData` fields at 20.0.7; `Recordings` arrived at 20.0.10 ([OFFICIAL] swagger `ceb6d0d`). */
export const CALL_LOG_FIELDS = [
  'CallId',
  'CdrId',
  'CallHistoryId',
  'MainCallHistoryId',
  'SegmentId',
  'StartTime',
  'Indent',
  'SubrowDescNumber',
  'SourceType',
  'SourceDn',
  'SourceCallerId',
  'SourceDisplayName',
  'DestinationType',
  'DestinationDn',
  'DestinationCallerId',
  'DestinationDisplayName',
  'ActionType',
  'ActionDnType',
  'actionDnDn',
  'ActionDnCallerId',
  'ActionDnDisplayName',
  'Answered',
  'Status',
  'Reason',
  'Direction',
  'CallType',
  'RingingDuration',
  'TalkingDuration',
  'CallCost',
  'QualityReport',
  'RecordingUrl',
  'SrcRecId',
  'DstRecId',
  'SentimentScore',
  'Summary',
  'Transcription',
] as const;

function rowsOf(call: FinishedCall, version: VersionMode, recs: RecordingStore): Record<string, unknown>[] {
  return call.legacy.segments.map((s, i) => {
    const r = s.row;
    const rec = recs.ofSegment(s.id);
    const start = r.cdr_started_at as Date;
    const end = r.cdr_ended_at ?? start;
    const answered = r.cdr_answered_at;
    const next = call.rows.find((x) => x.cdr_id === r.continued_in_cdr_id);
    return {
      CallId: call.legacy.id,
      CdrId: r.cdr_id,
      CallHistoryId: r.call_history_id,
      MainCallHistoryId: r.main_call_history_id,
      SegmentId: s.id,
      StartTime: isoUtc(start),
      Indent: r.originating_cdr_id ? 1 : 0,
      SubrowDescNumber: i,
      SourceType: s.src.dnType,
      SourceDn: s.src.dn,
      SourceCallerId: s.src.callerNumber,
      SourceDisplayName: s.src.displayName,
      DestinationType: s.dst.dnType,
      DestinationDn: s.dst.dn,
      DestinationCallerId: s.dst.callerNumber,
      DestinationDisplayName: s.dst.displayName,
      ActionType: next ? 1 : null,
      ActionDnType: null,
      actionDnDn: next?.destination_dn_number ?? null,
      ActionDnCallerId: next?.destination_participant_phone_number ?? null,
      ActionDnDisplayName: next?.destination_participant_name ?? null,
      Answered: answered !== null,
      Status: answered ? 'Answered' : 'Unanswered',
      Reason: r.termination_reason_details ?? r.termination_reason,
      Direction: call.direction,
      CallType: call.direction,
      RingingDuration: isoDuration((answered ?? end).getTime() - start.getTime()),
      TalkingDuration: isoDuration(answered ? end.getTime() - answered.getTime() : 0),
      CallCost: null,
      QualityReport: false,
      RecordingUrl: rec?.url ?? null,
      SrcRecId: rec?.recordedSide === 'src' ? rec.id : null,
      DstRecId: rec?.recordedSide === 'dst' ? rec.id : null,
      SentimentScore: rec?.sentimentScore ?? null,
      Summary: rec?.summary ?? null,
      Transcription: rec?.transcription ?? null,
      ...(versionAtLeast(version, '20.0.10')
        ? {
            Recordings: rec
              ? [
                  {
                    Id: rec.id,
                    SentimentScore: rec.sentimentScore,
                    Summary: rec.summary,
                    Transcription: rec.transcription,
                  },
                ]
              : [],
          }
        : {}),
    };
  });
}

/** Call-log rows of the calls that started within the period. */
export function listCallLog(
  history: HistoryStore,
  p: CallLogParams,
  version: VersionMode,
): Record<string, unknown>[] {
  return history.calls
    .filter((c) => c.legacy.start >= p.periodFrom && c.legacy.start <= p.periodTo)
    .filter(
      (c) =>
        !p.sourceFilter ||
        c.legacy.parties.some(
          (x) => x.dn.includes(p.sourceFilter ?? '') || x.callerNumber.includes(p.sourceFilter ?? ''),
        ),
    )
    .flatMap((c) => rowsOf(c, version, history.recordings));
}
