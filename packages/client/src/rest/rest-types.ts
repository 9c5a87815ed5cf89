import type { Direction, Party } from '@3cx-relay/events';

/** One participant of an {@link ActiveCall}. */
export interface ActiveCallParticipant {
  /** 3CX participant id. */
  id: number;
  /** The monitored DN the participant is on. */
  dn: string;
  /** 3CX status: `Dialing`, `Ringing`, `Connected`. */
  status: string;
  legId: number;
  partyNumber: string | null;
  partyName: string | null;
}

/** A call in progress, from the relay's live state (times ISO 8601 UTC). */
export interface ActiveCall {
  callId: string;
  callHistoryId: string | null;
  direction: Direction;
  /** `dialing` (only the caller's leg), `ringing`, `talking`, `routing` (IVR/queue, no visible leg). */
  state: 'dialing' | 'ringing' | 'talking' | 'routing';
  caller: Party | null;
  callee: Party | null;
  did: string | null;
  queue: string | null;
  extensions: string[];
  startedAt: string;
  answeredAt: string | null;
  answeredBy: string | null;
  participants: ActiveCallParticipant[];
}

/** Answer of `GET /relay/active-calls`. */
export interface ActiveCallsResult {
  count: number;
  calls: ActiveCall[];
}

/** Query of `GET /relay/call-history`. */
export interface CallHistoryQuery {
  /** Segments starting at or after this instant (default: 24 h before `to`). */
  from?: Date | string;
  /** Segments starting before this instant (default: now). */
  to?: Date | string;
  /** Only segments involving this extension. */
  extension?: string;
  /** Substring of the caller or callee number. */
  number?: string;
  /** Page size, 1–1000 (default 100). */
  limit?: number;
  /** Segments to skip (default 0). */
  offset?: number;
}

/** One side of a {@link CallHistorySegment}. */
export interface CallHistoryParty {
  dn: string | null;
  number: string | null;
  name: string | null;
  external: boolean;
}

/** One segment of the PBX's call history. */
export interface CallHistorySegment {
  segmentId: number;
  startedAt: string;
  endedAt: string;
  answered: boolean | null;
  /** Talk time as 3CX formats it (ISO 8601 duration). */
  duration: string;
  source: CallHistoryParty;
  destination: CallHistoryParty;
}

/** Answer of `GET /relay/call-history`: one page, newest first. */
export interface CallHistoryPage {
  from: string;
  to: string;
  /** Matching segments in total, when the PBX reports it. */
  total: number | null;
  limit: number;
  offset: number;
  /** Offset of the next page, or null on the last page. */
  nextOffset: number | null;
  items: CallHistorySegment[];
}
