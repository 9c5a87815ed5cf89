import { z } from 'zod';
import { SCHEMA_VERSION } from '../common.js';
import { EVENT_DATA_SCHEMAS, EVENT_SCHEMAS, EVENT_TYPES, type EventType } from '../model.js';
import { isOptInEventType } from '../relay-events.js';
import { EVENT_EXAMPLES } from './event-examples.js';

/** A JSON Schema document (2020-12), as plain JSON. */
export type JsonSchema = Record<string, unknown>;

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** What each event type means, for the catalogue and the AsyncAPI document. */
export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'call.ringing': 'A PBX endpoint (IVR, queue, ring group or extension) starts ringing for a call.',
  'call.answered': 'An endpoint answered; the first answer by an extension sets answeredAt of the call.',
  'call.transferred': 'The call moved to another endpoint through a blind or attended transfer.',
  'call.ended': 'The last participant of the call is gone. Sent once per call.',
  'call.missed':
    'The call ended without any extension answering (missed or abandoned); sent once, after call.ended.',
  'cdr.created': '3CX wrote a finished call-detail record (one segment of a call flow).',
  'call.completed': 'Every CDR of a call flow is in: an authoritative summary of the whole call.',
  'relay.test': 'Sent by "send test" in the admin panel or the webhook API to check a receiver.',
  'relay.status_changed':
    'A 3CX source of the relay (database, XAPI, Call Control) went up, degraded or down. Opt-in.',
  'agent.status_changed':
    "An extension's presence profile, DND, queue login, registration or queue membership changed (from XAPI). Opt-in.",
  'queue.stats':
    "A queue's figures changed: callers waiting, longest wait, agents logged in and available, answered and abandoned today. At most once a second per queue. Opt-in.",
  'call.recording_ready':
    '3CX has a recording of a call: the call, its parties and a relay URL that streams the audio. Opt-in (not selected by call.*).',
  'voicemail.received':
    'A caller left a voicemail: mailbox, caller, duration, transcription, the call it came from and a relay URL for the audio. Opt-in.',
  'subscription.failing':
    'A webhook subscription has had only failed attempts for a while; it is disabled at disableAt unless one succeeds. Opt-in.',
  'subscription.disabled':
    'The relay disabled a webhook subscription (only failures for days, or the receiver asked it to stop). Opt-in.',
  'subscription.recovered': 'A webhook subscription delivers again after subscription.failing. Opt-in.',
};

/**
 * The JSON Schema of a zod schema, from the very definition the relay validates with. Input
 * mode: objects stay open (no `additionalProperties: false`), because fields may be added
 * within a schema version and receivers must not break on them.
 */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' });
  delete out.$schema;
  return out;
}

/** `urn:3cx-relay:event:<type>:v<version>`: the stable `$id` of a type's schema. */
export function eventSchemaId(type: EventType, version = SCHEMA_VERSION): string {
  return `urn:3cx-relay:event:${type}:v${version}`;
}

/**
 * The catalogue entry of one event type: the event as it goes on WebSocket and SSE streams,
 * with `$defs.data` (its `data`) and `$defs.webhookBody` (the Standard Webhooks body
 * `{type, timestamp, data}` a subscription receives), and the type's example.
 */
export function eventJsonSchema(type: EventType): JsonSchema {
  const envelope = toJsonSchema(EVENT_SCHEMAS[type]);
  const props = envelope.properties as Record<string, unknown>;
  props.data = { $ref: '#/$defs/data' };
  const example = EVENT_EXAMPLES[type];
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: eventSchemaId(type),
    title: type,
    description: EVENT_DESCRIPTIONS[type],
    'x-schema-version': SCHEMA_VERSION,
    'x-opt-in': isOptInEventType(type),
    ...envelope,
    $defs: {
      data: toJsonSchema(EVENT_DATA_SCHEMAS[type]),
      webhookBody: {
        type: 'object',
        description: `Body of a ${type} webhook; the event id is the signed webhook-id header.`,
        properties: {
          type: { type: 'string', const: type },
          timestamp: { type: 'string', format: 'date-time', description: 'The event’s occurredAt.' },
          data: { $ref: '#/$defs/data' },
        },
        required: ['type', 'timestamp', 'data'],
        examples: [{ type, timestamp: example.occurredAt, data: example.data }],
      },
    },
    examples: [example],
  };
}

/** The catalogue's index: every type with its version, description and schema path. */
export function catalogueIndex(basePath = '/relay/schemas') {
  return {
    schemaVersion: SCHEMA_VERSION,
    dialect: JSON_SCHEMA_DIALECT,
    types: EVENT_TYPES.map((type) => ({
      type,
      version: SCHEMA_VERSION,
      description: EVENT_DESCRIPTIONS[type],
      optIn: isOptInEventType(type),
      id: eventSchemaId(type),
      schema: `${basePath}/${type}.json`,
      versions: { [SCHEMA_VERSION]: `${basePath}/v${SCHEMA_VERSION}/${type}.json` },
    })),
  };
}
