import { z } from 'zod';
import { isoDate } from './common.js';

/**
 * An extension's presence, from the name of 3CX's current forwarding profile
 * (`Users.CurrentProfileName`): V20 has five fixed profiles, `Available`, `Away`,
 * `Out of office` (shown as "Do Not Disturb" in the V20 clients), `Custom 1` and `Custom 2`
 * (renamable in the clients, e.g. "Lunch", "Business Trip"). A name the relay does not know is
 * `unknown`; the raw name is always in `profileName`.
 */
export const presenceSchema = z.enum(['available', 'away', 'out_of_office', 'custom1', 'custom2', 'unknown']);
export type Presence = z.infer<typeof presenceSchema>;

/** Queue login of an agent (3CX `Users.QueueStatus`: global, for every queue the agent is in). */
export const queueStatusSchema = z.enum(['logged_in', 'logged_out']);
export type QueueStatus = z.infer<typeof queueStatusSchema>;

/** What `agent.status_changed` reports a change of. */
export const agentChangeSchema = z.enum(['profile', 'dnd', 'queueStatus', 'registered', 'queues']);
export type AgentChange = z.infer<typeof agentChangeSchema>;

/** The state of one extension as the relay last read it from XAPI `Users` and `Queues/Agents`. */
export const agentStateSchema = z.object({
  /** Extension number. */
  extension: z.string(),
  /** Display name from 3CX, when it has one. */
  name: z.string().nullable(),
  /** `Users.CurrentProfileName` as 3CX gives it, e.g. "Away", or null. */
  profileName: z.string().nullable(),
  presence: presenceSchema,
  /** Do not disturb: the profile is one of the relay's DND profiles (`AGENT_DND_PROFILES`, default `Out of office`). */
  dnd: z.boolean(),
  queueStatus: queueStatusSchema,
  /** A phone or client of the extension is registered (`Users.IsRegistered`). */
  registered: z.boolean(),
  /** Queue numbers the extension is an agent of (`Queues({id})/Agents`), sorted. */
  queues: z.array(z.string()),
  /** When this state began: the relay's first observation of its last change (ISO 8601 UTC). */
  since: isoDate,
});
export type AgentState = z.infer<typeof agentStateSchema>;

/**
 * `agent.status_changed`: an extension's presence profile, DND, queue login, registration or
 * queue membership changed. Read from XAPI at a bounded rate (see `AGENT_STATE_POLL_MS`), so a
 * change shows within one poll and a change undone within one poll is not seen. Opt-in.
 */
export const agentStatusChangedData = agentStateSchema.extend({
  /** The fields that changed since `previous`, at least one. */
  changed: z.array(agentChangeSchema),
  /** The state before the change; null when the relay has none on record (a new extension). */
  previous: agentStateSchema.omit({ extension: true }).nullable(),
  /** When the relay saw the change (ISO 8601 UTC; also the envelope's `occurredAt`). */
  at: isoDate,
});

/**
 * `queue.stats`: a queue's figures changed. Sent at most once a second per queue, only when a
 * figure other than the running wait time changes. Waiting callers and waits come from the
 * live Call Control state (right between polls); agent figures from the agent state. Opt-in.
 */
export const queueStatsData = z.object({
  /** Queue number. */
  queue: z.string(),
  name: z.string().nullable(),
  /** Callers in the queue now, not yet answered by an agent. */
  waiting: z.number().int().min(0),
  /** Since when the longest-waiting caller has been in the queue (ISO 8601 UTC), or null. */
  longestWaitingSince: isoDate.nullable(),
  /** That caller's wait when the snapshot was taken, seconds (0 without callers). */
  longestWaitSeconds: z.number().min(0),
  /** Agents (members) of the queue. */
  agents: z.number().int().min(0),
  /** Members logged in to queues. */
  agentsLoggedIn: z.number().int().min(0),
  /** Members logged in, registered, not in DND or away, and not on a call. */
  agentsAvailable: z.number().int().min(0),
  /** Queue calls answered by an agent today (the relay's time zone, `QUEUE_STATS_TIME_ZONE`). */
  answeredToday: z.number().int().min(0),
  /** Queue calls whose caller hung up before an agent answered, today. */
  abandonedToday: z.number().int().min(0),
  /** The day `answeredToday`/`abandonedToday` count, `YYYY-MM-DD` in that time zone. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** When the snapshot was taken (ISO 8601 UTC; also the envelope's `occurredAt`). */
  at: isoDate,
});
export type QueueStats = z.infer<typeof queueStatsData>;
