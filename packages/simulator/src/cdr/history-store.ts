import type { VoicemailRecord } from '../pbx/call.js';
import type { CdrRow } from './cdr-row.js';
import { deriveLegacy, type LegacyCall, type LegacyIds } from './legacy-model.js';
import { RecordingStore, type RecordingPolicy } from './recordings.js';

/** A finished call with everything the history surfaces serve. */
export interface FinishedCall {
  callid: number;
  direction: 'Inbound' | 'Outbound' | 'Internal';
  rows: CdrRow[];
  legacy: LegacyCall;
  /** Messages left in mailboxes (`s_voicemail` rows). */
  voicemails: VoicemailRecord[];
}

/**
 * In-memory history of finished calls: the source of XAPI `CallHistoryView` and
 * `ReportCallLogData` (a real PBX serves them from its database).
 */
export class HistoryStore {
  readonly calls: FinishedCall[] = [];
  /** Recordings of the calls' talk segments (XAPI `Recordings`). */
  readonly recordings: RecordingStore;
  private readonly ids: LegacyIds = { call: 0, party: 0, segment: 0 };

  constructor(policy: RecordingPolicy = { extensions: null, transcribe: true }) {
    this.recordings = new RecordingStore(policy);
  }

  add(callid: number, rows: CdrRow[], voicemails: VoicemailRecord[] = []): FinishedCall {
    const first = rows[0];
    const inbound = first?.source_entity_type === 'external_line';
    const outbound = rows.some((r) => r.destination_entity_type === 'external_line');
    const call: FinishedCall = {
      callid,
      rows,
      direction: inbound ? 'Inbound' : outbound ? 'Outbound' : 'Internal',
      legacy: deriveLegacy(rows, this.ids),
      voicemails,
    };
    this.calls.push(call);
    this.recordings.addFor(call);
    return call;
  }
}
