import { z } from 'zod';
import { type activeCallParticipantSchema, activeCallSchema, activeCallsSourceSchema } from './live-state.js';

/* Answers of the relay's REST API, shared by the worker that serves them and the client. */

/** One participant of an {@link ActiveCall} (see `activeCallParticipantSchema`). */
export type ActiveCallParticipant = z.infer<typeof activeCallParticipantSchema>;

/** A call in progress (see `activeCallSchema` in live-state.ts). */
export type ActiveCall = z.infer<typeof activeCallSchema>;

/**
 * Where `GET /relay/active-calls` answered from: `callcontrol`, the relay's live state (while
 * Call Control is up), or `xapi`, the PBX's `ActiveCalls` list (fallback, at most about 1 s old).
 */
export type ActiveCallsSource = z.infer<typeof activeCallsSourceSchema>;

/**
 * Answer of `GET /relay/active-calls`. When neither source can answer, the relay responds
 * 503 `UNAVAILABLE` (no XAPI configured) or 502 `UPSTREAM_ERROR` (XAPI failed), never an empty list.
 */
export const activeCallsResultSchema = z.object({
  source: activeCallsSourceSchema,
  count: z.number().int(),
  calls: z.array(activeCallSchema),
});
export type ActiveCallsResult = z.infer<typeof activeCallsResultSchema>;

/** One side of a {@link CallHistorySegment}. */
export const callHistoryPartySchema = z.object({
  dn: z.string().nullable(),
  number: z.string().nullable(),
  name: z.string().nullable(),
  external: z.boolean(),
});
export type CallHistoryParty = z.infer<typeof callHistoryPartySchema>;

/**
 * Where `GET /relay/call-history` answered from: `xapi`, the PBX's `CallHistoryView` (needs an
 * Enterprise/AI licence), or `cdroutput`, 3CX's CDR table read from its database (any edition).
 */
export const callHistorySourceSchema = z.enum(['xapi', 'cdroutput']);
export type CallHistorySource = z.infer<typeof callHistorySourceSchema>;

/**
 * One segment of the PBX's call history. From XAPI, `segmentId` is 3CX's segment number and
 * `cdrId`/`callHistoryId` are null; from `cdroutput` (one row = one segment), `segmentId` is null
 * and `cdrId`/`callHistoryId` are the row's uuids (a call flow is all rows with one `callHistoryId`).
 */
export const callHistorySegmentSchema = z.object({
  segmentId: z.number().int().nullable(),
  cdrId: z.string().nullable(),
  callHistoryId: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string(),
  /** XAPI: 3CX's `CallAnswered`; `cdroutput`: this segment was answered (`cdr_answered_at` set). */
  answered: z.boolean().nullable(),
  /** Talk time as an ISO 8601 duration (`PT12.5S`; `PT0S` when not answered). */
  duration: z.string(),
  source: callHistoryPartySchema,
  destination: callHistoryPartySchema,
});
export type CallHistorySegment = z.infer<typeof callHistorySegmentSchema>;

/** Answer of `GET /relay/call-history`: one page, newest first. */
export const callHistoryPageSchema = z.object({
  source: callHistorySourceSchema,
  from: z.string(),
  to: z.string(),
  /** Matching segments in total, when the PBX reports it. */
  total: z.number().int().nullable(),
  limit: z.number().int(),
  offset: z.number().int(),
  /** Offset of the next page, or null on the last page. */
  nextOffset: z.number().int().nullable(),
  items: z.array(callHistorySegmentSchema),
});
export type CallHistoryPage = z.infer<typeof callHistoryPageSchema>;
