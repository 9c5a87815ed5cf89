import { z } from 'zod';
import { SCHEMA_VERSION, isoDate } from './common.js';
import {
  callAnsweredData,
  callEndedData,
  callMissedData,
  callRingingData,
  callTransferredData,
} from './call-events.js';
import { callCompletedData, cdrCreatedData, relayTestData } from './cdr-events.js';
import { relayStatusChangedData } from './relay-events.js';
import { agentStatusChangedData, queueStatsData } from './agent-events.js';
import { callRecordingReadyData, voicemailReceivedData } from './media-events.js';
import {
  subscriptionDisabledData,
  subscriptionFailingData,
  subscriptionRecoveredData,
} from './subscription-events.js';

/** Every event type the relay emits, in documentation order. */
export const EVENT_TYPES = [
  'call.ringing',
  'call.answered',
  'call.transferred',
  'call.ended',
  'call.missed',
  'cdr.created',
  'call.completed',
  'relay.test',
  'relay.status_changed',
  'agent.status_changed',
  'queue.stats',
  'call.recording_ready',
  'voicemail.received',
  'subscription.failing',
  'subscription.disabled',
  'subscription.recovered',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const eventTypeSchema = z.enum(EVENT_TYPES);

/** The `data` schema of each event type. */
export const EVENT_DATA_SCHEMAS = {
  'call.ringing': callRingingData,
  'call.answered': callAnsweredData,
  'call.transferred': callTransferredData,
  'call.ended': callEndedData,
  'call.missed': callMissedData,
  'cdr.created': cdrCreatedData,
  'call.completed': callCompletedData,
  'relay.test': relayTestData,
  'relay.status_changed': relayStatusChangedData,
  'agent.status_changed': agentStatusChangedData,
  'queue.stats': queueStatsData,
  'call.recording_ready': callRecordingReadyData,
  'voicemail.received': voicemailReceivedData,
  'subscription.failing': subscriptionFailingData,
  'subscription.disabled': subscriptionDisabledData,
  'subscription.recovered': subscriptionRecoveredData,
} as const satisfies Record<EventType, z.ZodType>;

/** `data` of an event type. */
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;

const envelopeShape = {
  /** Deterministic id (`evt_…`): the same upstream transition always has the same id. Use it to de-duplicate. */
  id: z.string().regex(/^evt_[a-z2-7]+$/),
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Position in the relay's event log; strictly increasing, gaps possible. A decimal string (64-bit). */
  sequence: z.string().regex(/^\d+$/),
  /** When the transition happened upstream (or was first observed), ISO 8601 UTC. */
  occurredAt: isoDate,
  /** 3CX callid of live call events, else null. */
  callId: z.string().nullable(),
  /** 3CX call_history_id once known, else null. */
  callHistoryId: z.string().nullable(),
  /** Extension DNs the event concerns (filter field). */
  extensions: z.array(z.string()),
  /** Dialled numbers the event concerns (filter field). */
  dids: z.array(z.string()),
  /** Queue DNs the event concerns (filter field). */
  queues: z.array(z.string()),
  /**
   * 3CX departments (`*_participant_group_name`, e.g. `Sales`, `__DEFAULT__`) the event concerns
   * (filter field). Set on `cdr.created` and `call.completed`; Call Control does not tell a DN's
   * department, so live events carry `[]`. Added within schema version 1 and always sent since.
   */
  departments: z.array(z.string()).optional(),
};

function envelope<T extends EventType>(type: T) {
  return z.object({ ...envelopeShape, type: z.literal(type), data: EVENT_DATA_SCHEMAS[type] });
}

/** Zod schema of each complete event as it goes on the wire (webhook body, WS message, REST). */
export const EVENT_SCHEMAS = {
  'call.ringing': envelope('call.ringing'),
  'call.answered': envelope('call.answered'),
  'call.transferred': envelope('call.transferred'),
  'call.ended': envelope('call.ended'),
  'call.missed': envelope('call.missed'),
  'cdr.created': envelope('cdr.created'),
  'call.completed': envelope('call.completed'),
  'relay.test': envelope('relay.test'),
  'relay.status_changed': envelope('relay.status_changed'),
  'agent.status_changed': envelope('agent.status_changed'),
  'queue.stats': envelope('queue.stats'),
  'call.recording_ready': envelope('call.recording_ready'),
  'voicemail.received': envelope('voicemail.received'),
  'subscription.failing': envelope('subscription.failing'),
  'subscription.disabled': envelope('subscription.disabled'),
  'subscription.recovered': envelope('subscription.recovered'),
} as const;

/**
 * The Standard Webhooks body of a type as the relay sends it: `{type, timestamp, data}`, with
 * `timestamp` the event's `occurredAt` and the event id in the signed `webhook-id` header.
 */
export function webhookBodySchema<T extends EventType>(type: T) {
  return z.object({ type: z.literal(type), timestamp: isoDate, data: EVENT_DATA_SCHEMAS[type] });
}

/** Any relay event, discriminated by `type`. */
export const relayEventSchema = z.discriminatedUnion('type', [
  EVENT_SCHEMAS['call.ringing'],
  EVENT_SCHEMAS['call.answered'],
  EVENT_SCHEMAS['call.transferred'],
  EVENT_SCHEMAS['call.ended'],
  EVENT_SCHEMAS['call.missed'],
  EVENT_SCHEMAS['cdr.created'],
  EVENT_SCHEMAS['call.completed'],
  EVENT_SCHEMAS['relay.test'],
  EVENT_SCHEMAS['relay.status_changed'],
  EVENT_SCHEMAS['agent.status_changed'],
  EVENT_SCHEMAS['queue.stats'],
  EVENT_SCHEMAS['call.recording_ready'],
  EVENT_SCHEMAS['voicemail.received'],
  EVENT_SCHEMAS['subscription.failing'],
  EVENT_SCHEMAS['subscription.disabled'],
  EVENT_SCHEMAS['subscription.recovered'],
]);

/** A relay event on the wire. */
export type RelayEvent = z.infer<typeof relayEventSchema>;

/**
 * An event as the worker's sources produce it, before the event store gives it a sequence.
 * `data` must match the type's schema (see {@link EVENT_DATA_SCHEMAS}).
 */
export interface NewEvent {
  id: string;
  type: EventType;
  occurredAt: Date;
  callId?: string | null | undefined;
  callHistoryId?: string | null | undefined;
  extensions: string[];
  dids: string[];
  queues: string[];
  /** Department filter field; absent means none. */
  departments?: string[] | undefined;
  data: object;
}

/** Turns a stored event (a {@link NewEvent} plus its sequence) into its wire form. */
export function toRelayEvent(e: NewEvent & { sequence: bigint | number | string }): RelayEvent {
  return {
    id: e.id,
    type: e.type,
    schemaVersion: SCHEMA_VERSION,
    sequence: String(e.sequence),
    occurredAt: e.occurredAt.toISOString(),
    callId: e.callId ?? null,
    callHistoryId: e.callHistoryId ?? null,
    extensions: e.extensions,
    dids: e.dids,
    queues: e.queues,
    departments: e.departments ?? [],
    data: e.data,
  } as RelayEvent;
}

/** Validates an event's `data` against its type; throws a ZodError when it does not match. */
export function assertEventData(type: EventType, data: unknown): void {
  EVENT_DATA_SCHEMAS[type].parse(data);
}
