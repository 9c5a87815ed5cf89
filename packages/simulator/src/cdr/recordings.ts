import type { FinishedCall } from './history-store.js';
import type { LegacyParty, LegacySegment } from './legacy-model.js';

/** `Pbx.RecordingCallType` ([OFFICIAL] swagger). */
export type RecordingCallType = 'Local' | 'InboundExternal' | 'OutboundExternal';

/** One recording of a talk segment, as XAPI `Recordings` lists it. */
export interface SimRecording {
  id: number;
  callid: number;
  callHistoryId: string;
  segmentId: number;
  /** Which side of the segment is the recorded extension. */
  recordedSide: 'src' | 'dst';
  from: LegacyParty;
  to: LegacyParty;
  start: Date;
  end: Date;
  callType: RecordingCallType;
  url: string;
  transcription: string | null;
  summary: string | null;
  sentimentScore: number | null;
}

/** What is recorded: these extensions' talk segments; transcription on or off. */
export interface RecordingPolicy {
  /** Extensions whose calls are recorded (`Users.RecordCalls`); every extension when null. */
  extensions: string[] | null;
  /** 3CX's AI transcription (summary, sentiment) runs on each recording. */
  transcribe: boolean;
}

const TEXTS = [
  [
    'Hello, I am calling about my order. It has not arrived yet.',
    'Order not delivered; agent checks the shipment.',
    2,
  ],
  ['Hi, I would like to book an appointment for next week.', 'Caller books an appointment for next week.', 4],
  [
    'Good morning, thank you for the quick help yesterday.',
    'Caller thanks the team for yesterday’s help.',
    5,
  ],
] as const;

/** `yyyyMMddHHmmss` in UTC (3CX file names). */
const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

/**
 * Recordings of finished calls. Every answered segment between an extension that records and
 * another party (not an IVR or a queue) gets one, ids counting up from 1 (`Recordings.Id`),
 * referenced from the segment's `SrcRecId`/`DstRecId`. The URL follows 3CX's file naming
 * (`[Last, First]_ext-number_yyyyMMddHHmmss(callid).wav`, [INFERRED]).
 */
export class RecordingStore {
  readonly list: SimRecording[] = [];
  private readonly bySegment = new Map<number, SimRecording>();

  constructor(private readonly policy: RecordingPolicy) {}

  get(id: number): SimRecording | undefined {
    return this.list[id - 1];
  }

  /** The recording of a segment, and on which side, if any. */
  ofSegment(segmentId: number): SimRecording | undefined {
    return this.bySegment.get(segmentId);
  }

  /** Adds the recordings of a finished call. */
  addFor(call: FinishedCall): void {
    for (const s of call.legacy.segments) {
      const side = this.recordedSide(s);
      if (!side || s.type !== 2) continue;
      const start = s.row.cdr_answered_at ?? s.start;
      const ext = side === 'src' ? s.src : s.dst;
      const other = side === 'src' ? s.dst : s.src;
      const id = this.list.length + 1;
      const text = TEXTS[id % TEXTS.length]!;
      const rec: SimRecording = {
        id,
        callid: call.callid,
        callHistoryId: call.legacy.callHistoryId,
        segmentId: s.id,
        recordedSide: side,
        from: s.src,
        to: s.dst,
        start,
        end: s.end,
        callType: s.src.external ? 'InboundExternal' : s.dst.external ? 'OutboundExternal' : 'Local',
        url: `${ext.dn}/[${ext.displayName}]_${ext.dn}-${other.callerNumber || other.dn}_${stamp(start)}(${call.callid}).wav`,
        transcription: this.policy.transcribe ? text[0] : null,
        summary: this.policy.transcribe ? text[1] : null,
        sentimentScore: this.policy.transcribe ? text[2] : null,
      };
      this.list.push(rec);
      this.bySegment.set(s.id, rec);
    }
  }

  /** The side that is a recording extension, when the other side is a person (extension or outside). */
  private recordedSide(s: LegacySegment): 'src' | 'dst' | null {
    const person = (p: LegacyParty) => p.external || p.dnType === 0;
    const records = (p: LegacyParty) =>
      !p.external && p.dnType === 0 && (this.policy.extensions?.includes(p.dn) ?? true);
    if (!person(s.src) || !person(s.dst)) return null;
    if (records(s.dst)) return 'dst';
    if (records(s.src)) return 'src';
    return null;
  }
}
