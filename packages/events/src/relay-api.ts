import type { z } from 'zod';
import type { activeCallParticipantSchema, activeCallSchema } from './live-state.js';

/* Answers of the relay's REST API, shared by the worker that serves them and the client. */

/** One participant of an {@link ActiveCall} (see `activeCallParticipantSchema`). */
export type ActiveCallParticipant = z.infer<typeof activeCallParticipantSchema>;

/** A call in progress (see `activeCallSchema` in live-state.ts). */
export type ActiveCall = z.infer<typeof activeCallSchema>;

/**
 * Where `GET /relay/active-calls` answered from: `callcontrol`, the relay's live state (while
 * Call Control is up), or `xapi`, the PBX's `ActiveCalls` list (fallback, at most about 1 s old).
 */
export type ActiveCallsSource = 'callcontrol' | 'xapi';

/**
 * Answer of `GET /relay/active-calls`. When neither source can answer, the relay responds
 * 503 `UNAVAILABLE` (no XAPI configured) or 502 `UPSTREAM_ERROR` (XAPI failed), never an empty list.
 */
export interface ActiveCallsResult {
  source: ActiveCallsSource;
  count: number;
  calls: ActiveCall[];
}

/** One side of a {@link CallHistorySegment}. */
export interface CallHistoryParty {
  dn: string | null;
  number: string | null;
  name: string | null;
  external: boolean;
}

/**
 * Where `GET /relay/call-history` answered from: `xapi`, the PBX's `CallHistoryView` (needs an
 * Enterprise/AI licence), or `cdroutput`, 3CX's CDR table read from its database (any edition).
 */
export type CallHistorySource = 'xapi' | 'cdroutput';

/**
 * One segment of the PBX's call history. From XAPI, `segmentId` is 3CX's segment number and
 * `cdrId`/`callHistoryId` are null; from `cdroutput` (one row = one segment), `segmentId` is null
 * and `cdrId`/`callHistoryId` are the row's uuids (a call flow is all rows with one `callHistoryId`).
 */
export interface CallHistorySegment {
  segmentId: number | null;
  cdrId: string | null;
  callHistoryId: string | null;
  startedAt: string;
  endedAt: string;
  /** XAPI: 3CX's `CallAnswered`; `cdroutput`: this segment was answered (`cdr_answered_at` set). */
  answered: boolean | null;
  /** Talk time as an ISO 8601 duration (`PT12.5S`; `PT0S` when not answered). */
  duration: string;
  source: CallHistoryParty;
  destination: CallHistoryParty;
}

/** Answer of `GET /relay/call-history`: one page, newest first. */
export interface CallHistoryPage {
  source: CallHistorySource;
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
