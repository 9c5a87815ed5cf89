import { z } from 'zod';
import { directionSchema, isoDate, partySchema } from './common.js';
import { agentStateSchema, queueStatsData } from './agent-events.js';

/** One participant of an active call. */
export const activeCallParticipantSchema = z.object({
  /** 3CX participant id. */
  id: z.number().int(),
  /** The monitored DN the participant is on. */
  dn: z.string(),
  /** 3CX status: `Dialing`, `Ringing`, `Connected`. */
  status: z.string(),
  legId: z.number().int(),
  /** The other side's number and name as 3CX shows it. */
  partyNumber: z.string().nullable(),
  partyName: z.string().nullable(),
});

/**
 * A call in progress (times ISO 8601 UTC). From the relay's live Call Control state, or, with
 * `source: 'xapi'`, from XAPI `ActiveCalls`: caller and callee parsed from 3CX's "DN Name"
 * display strings (`kind` is `external` or `unknown`), `startedAt` from `EstablishedAt`,
 * `callHistoryId`, `did`, `queue` and `answeredAt` null and `participants` empty.
 */
export const activeCallSchema = z.object({
  callId: z.string(),
  callHistoryId: z.string().nullable(),
  direction: directionSchema,
  /** `dialing` (only the caller's leg), `ringing`, `talking`, `routing` (an IVR or queue holds the caller, or no visible leg). */
  state: z.enum(['dialing', 'ringing', 'talking', 'routing']),
  caller: partySchema.nullable(),
  callee: partySchema.nullable(),
  did: z.string().nullable(),
  queue: z.string().nullable(),
  extensions: z.array(z.string()),
  startedAt: isoDate,
  answeredAt: isoDate.nullable(),
  answeredBy: z.string().nullable(),
  participants: z.array(activeCallParticipantSchema),
});

/**
 * Where live call state comes from: `callcontrol`, the relay's own state (exact, and in step
 * with the event sequence), or `xapi`, the PBX's `ActiveCalls` list (fallback, about 1 s old).
 */
export const activeCallsSourceSchema = z.enum(['callcontrol', 'xapi']);

/**
 * The first message of a snapshot-then-stream connection (WebSocket `?snapshot=true`, SSE
 * `/relay/events/stream`): the live state as of event `sequence`; the events that follow are
 * exactly those after it (same filters), so applying them to this state never misses or
 * repeats a change. `queues` and `agents` hold queue figures and agent states when the
 * connection's type filter selects `queue.stats` / `agent.status_changed` (they are opt-in like
 * those events); they are as of `takenAt`, and later changes come as those events.
 */
export const snapshotMessageSchema = z.object({
  kind: z.literal('snapshot'),
  /** The state includes every event up to this sequence (decimal string); events after it follow. */
  sequence: z.string().regex(/^\d+$/),
  /** When the snapshot was taken, ISO 8601 UTC. */
  takenAt: isoDate,
  source: activeCallsSourceSchema,
  /** The calls in progress that pass the connection's extension/DID/queue filters. */
  activeCalls: z.array(activeCallSchema),
  /** Queue figures (`queue.stats` data) passing the connection's filters; empty unless it selects `queue.stats`. */
  queues: z.array(queueStatsData),
  /** Agent states passing the connection's filters; empty unless it selects `agent.status_changed`. */
  agents: z.array(agentStateSchema),
});
export type SnapshotMessage = z.infer<typeof snapshotMessageSchema>;

const sequence = z.string().regex(/^\d+$/);

/** First message of every stream connection. */
export const helloMessageSchema = z.object({
  kind: z.literal('hello'),
  /** The API key's public prefix. */
  keyPrefix: z.string(),
  /** The connection's filters, or `all`. */
  filter: z.union([
    z.literal('all'),
    z.object({
      eventTypes: z.array(z.string()),
      extensions: z.array(z.string()),
      dids: z.array(z.string()),
      queues: z.array(z.string()),
      departments: z.array(z.string()).optional(),
    }),
  ]),
  /** Server pings (WebSocket) or comments (SSE) come this often, ms. */
  pingIntervalMs: z.number().int(),
  /** Newest sequence this connection will not receive live: resume with it if you drop before any event. */
  lastSequence: sequence,
});

/** A resume asked for events that retention already removed. */
export const historyLostMessageSchema = z.object({
  kind: z.literal('history_lost'),
  since: sequence,
  prunedThrough: sequence,
  oldestAvailable: sequence,
  retentionDays: z.number(),
});

/** A resume's replay is complete; live events follow. */
export const resumedMessageSchema = z.object({
  kind: z.literal('resumed'),
  since: sequence,
  replayed: z.number().int(),
  lastSequence: sequence,
});
