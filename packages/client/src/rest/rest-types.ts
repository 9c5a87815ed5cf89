export type {
  ActiveCall,
  ActiveCallParticipant,
  ActiveCallsResult,
  ActiveCallsSource,
  CallHistoryPage,
  CallHistoryParty,
  CallHistorySegment,
  CallHistorySource,
} from '../types.js';

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
