import {
  EVENT_DESCRIPTIONS,
  EVENT_EXAMPLES,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  helloMessageSchema,
  historyLostMessageSchema,
  resumedMessageSchema,
  snapshotMessageSchema,
  toJsonSchema,
  webhookBodySchema,
  type EventType,
} from '@3cx-relay/events';
import { VERSION } from '../version.js';
import { RELAY_DELIVERY_HEADERS } from './delivery-header-docs.js';

const name = (type: string) => type.replace(/[._](\w)/g, (_m, c: string) => c.toUpperCase());
const msgRef = (id: string) => ({ $ref: `#/components/messages/${id}` });
const str = (description: string) => ({ type: 'string', description });

/** The Standard Webhooks headers of every delivery. */
const webhookHeaders = {
  type: 'object',
  required: [
    'webhook-id',
    'webhook-timestamp',
    'webhook-signature',
    ...RELAY_DELIVERY_HEADERS.filter((h) => h.always).map((h) => h.name),
  ],
  properties: {
    'webhook-id': str('The event id (evt_…): stable across retries, the receiver’s idempotency key.'),
    'webhook-timestamp': str(
      'Unix seconds of this attempt; refuse ones outside your tolerance (e.g. 5 min).',
    ),
    'webhook-signature': str(
      'Space-separated signatures over `${webhook-id}.${webhook-timestamp}.${body}`: `v1,<base64 HMAC-SHA256 with the whsec_ secret>` and/or `v1a,<base64 ed25519 signature, verify with the whpk_ public key>`. During a rotation the old and new keys both sign.',
    ),
    ...Object.fromEntries(RELAY_DELIVERY_HEADERS.map((h) => [h.name, str(h.description)])),
  },
};

/** Per event type: the webhook message and the stream message. */
function eventMessages() {
  const out: Record<string, unknown> = {};
  for (const type of EVENT_TYPES as readonly EventType[]) {
    const ex = EVENT_EXAMPLES[type];
    out[`${name(type)}Webhook`] = {
      name: type,
      title: `${type} webhook`,
      summary: EVENT_DESCRIPTIONS[type],
      contentType: 'application/json',
      headers: webhookHeaders,
      payload: toJsonSchema(webhookBodySchema(type)),
      examples: [{ payload: { type, timestamp: ex.occurredAt, data: ex.data } }],
    };
    const event = toJsonSchema(EVENT_SCHEMAS[type]);
    (event.properties as Record<string, unknown>).kind = { type: 'string', const: 'event' };
    out[`${name(type)}Event`] = {
      name: type,
      title: `${type} on a stream`,
      summary: EVENT_DESCRIPTIONS[type],
      contentType: 'application/json',
      payload: event,
      examples: [{ payload: { kind: 'event', ...ex } }],
    };
  }
  return out;
}

const streamControl = {
  Hello: [
    'hello',
    'First message: the key prefix, the filter and the last sequence not sent live.',
    helloMessageSchema,
  ],
  Snapshot: [
    'snapshot',
    'The live state as of `sequence` (with `snapshot=true`, or on SSE by default); the events that follow are exactly those after it.',
    snapshotMessageSchema,
  ],
  HistoryLost: [
    'history_lost',
    'A resume asked for events retention already removed.',
    historyLostMessageSchema,
  ],
  Resumed: [
    'resumed',
    'The replay after `since` (or Last-Event-ID) is complete; live events follow.',
    resumedMessageSchema,
  ],
} as const;

const streamQuery = {
  type: 'object',
  properties: {
    types: str('Comma list of types or patterns (`call.*`); `relay.*` types only when named.'),
    extensions: str('Comma list of extension DNs.'),
    dids: str('Comma list of dialled numbers.'),
    queues: str('Comma list of queue DNs.'),
    departments: str('Comma list of 3CX departments (group names; CDR events only carry them).'),
    since: str('Replay the events after this sequence first.'),
    snapshot: str('`true`: start with a snapshot of the live state (WebSocket; SSE does by default).'),
  },
};

/** The AsyncAPI 3.0 description of the relay's webhooks, WebSocket and SSE stream. */
export function asyncApiDocument() {
  const streamMessages = [
    ...Object.keys(streamControl).map((k) => msgRef(k)),
    ...EVENT_TYPES.map((t) => msgRef(`${name(t)}Event`)),
  ];
  const streamMessageMap = Object.fromEntries(streamMessages.map((m) => [m.$ref.split('/').pop()!, m]));
  return {
    asyncapi: '3.0.0',
    info: {
      title: '3CX Relay events',
      version: VERSION,
      description:
        'Normalized call events of a 3CX V20 phone system, pushed as signed Standard Webhooks to subscriptions and streamed over a WebSocket and Server-Sent Events. JSON Schemas per type and version: /relay/schemas. REST API: /relay/openapi.json.',
    },
    servers: {
      relay: {
        host: 'pbx.example.com',
        protocol: 'wss',
        pathname: '/',
        description: 'The relay behind the PBX’s nginx (or ws://127.0.0.1:8082 on the box).',
        security: [{ $ref: '#/components/securitySchemes/apiKey' }],
      },
      relayHttp: {
        host: 'pbx.example.com',
        protocol: 'https',
        pathname: '/',
        description: 'The relay over HTTP(S), for Server-Sent Events.',
        security: [{ $ref: '#/components/securitySchemes/apiKey' }],
      },
      receiver: {
        host: '{receiverHost}',
        protocol: 'https',
        description: 'Your endpoint: the URL of a webhook subscription.',
        variables: { receiverHost: { description: 'Host (and port) of the subscription URL.' } },
      },
    },
    channels: {
      webhook: {
        address: '{receiverPath}',
        title: 'Webhook deliveries',
        description:
          'One POST per event and subscription, retried with backoff until a 2xx (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h by default). 410 Gone disables the subscription. Verify the signature over the exact raw body before parsing it.',
        servers: [{ $ref: '#/servers/receiver' }],
        parameters: { receiverPath: { description: 'Path of the subscription URL.' } },
        messages: Object.fromEntries(
          EVENT_TYPES.map((t) => [`${name(t)}Webhook`, msgRef(`${name(t)}Webhook`)]),
        ),
        bindings: { http: { bindingVersion: '0.3.0' } },
      },
      stream: {
        address: '/relay/ws',
        title: 'WebSocket event stream',
        description:
          'Scope events:subscribe. Close codes: 1001 shutdown, 1011 snapshot or resume failed, 4001 key revoked, 4008 slow consumer. Pings every 25 s.',
        servers: [{ $ref: '#/servers/relay' }],
        messages: streamMessageMap,
        bindings: { ws: { bindingVersion: '0.1.0', method: 'GET', query: streamQuery } },
      },
      sse: {
        address: '/relay/events/stream',
        title: 'Server-Sent Events stream',
        description:
          'Scope events:subscribe. Control messages are named SSE events (`event: snapshot`); relay events are unnamed, with the sequence as `id`, so a reconnecting EventSource resumes with Last-Event-ID.',
        servers: [{ $ref: '#/servers/relayHttp' }],
        messages: streamMessageMap,
        bindings: { http: { bindingVersion: '0.3.0' } },
      },
    },
    operations: {
      deliverWebhook: {
        action: 'send',
        channel: { $ref: '#/channels/webhook' },
        summary: 'The relay POSTs each matching event to the subscription URL.',
        bindings: { http: { bindingVersion: '0.3.0', method: 'POST' } },
        messages: EVENT_TYPES.map((t) => ({ $ref: `#/channels/webhook/messages/${name(t)}Webhook` })),
      },
      streamEvents: {
        action: 'send',
        channel: { $ref: '#/channels/stream' },
        summary: 'The relay sends hello, optionally a snapshot or a replay, then live events.',
        messages: Object.keys(streamMessageMap).map((k) => ({ $ref: `#/channels/stream/messages/${k}` })),
      },
      streamEventsSse: {
        action: 'send',
        channel: { $ref: '#/channels/sse' },
        summary: 'The same messages as Server-Sent Events.',
        messages: Object.keys(streamMessageMap).map((k) => ({ $ref: `#/channels/sse/messages/${k}` })),
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'API key `rk_<12 hex>.<secret>` (scope events:subscribe). Browsers: subprotocols `["relay.v1", "<key>"]` or `?access_token=`.',
        },
      },
      messages: {
        ...Object.fromEntries(
          Object.entries(streamControl).map(([id, [kind, summary, schema]]) => [
            id,
            { name: kind, summary, contentType: 'application/json', payload: toJsonSchema(schema) },
          ]),
        ),
        ...eventMessages(),
      },
    },
  };
}
