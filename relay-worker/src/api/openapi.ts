import type { FastifyInstance } from 'fastify';
import { EVENT_TYPES } from '@3cx-relay/events';
import { VERSION } from '../version.js';
import { componentSchemas } from './openapi-schemas.js';
import { outgoingWebhooks, webhookPaths } from './openapi-webhook-paths.js';
import { mediaPaths } from './openapi-media-paths.js';

const error = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
};
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: {
          400: 'Bad request',
          401: 'Missing or invalid API key',
          403: 'Missing scope',
          429: 'Rate limited (see Retry-After)',
          502: 'PBX error',
          503: 'Not configured or unavailable',
        }[c],
        content: { 'application/json': { schema: error } },
      },
    ]),
  );
const party = {
  type: 'object',
  properties: {
    dn: { type: ['string', 'null'] },
    number: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    external: { type: 'boolean' },
  },
};

const callParty = {
  type: ['object', 'null'],
  properties: {
    number: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    dn: { type: ['string', 'null'] },
    kind: { type: 'string' },
  },
};
const activeCall = {
  type: 'object',
  properties: {
    callId: { type: 'string' },
    callHistoryId: { type: ['string', 'null'] },
    direction: { type: 'string', enum: ['inbound', 'outbound', 'internal', 'unknown'] },
    state: { type: 'string', enum: ['dialing', 'ringing', 'talking', 'routing'] },
    caller: callParty,
    callee: callParty,
    did: { type: ['string', 'null'] },
    queue: { type: ['string', 'null'] },
    extensions: { type: 'array', items: { type: 'string' } },
    startedAt: { type: 'string', format: 'date-time' },
    answeredAt: { type: ['string', 'null'], format: 'date-time' },
    answeredBy: { type: ['string', 'null'] },
    participants: { type: 'array', items: { type: 'object' } },
  },
};

/** The OpenAPI 3.1 description of the relay's API, served at /relay/openapi.json. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: '3CX Relay API',
      version: VERSION,
      description:
        'Live calls, call history, event streams (WebSocket, Server-Sent Events), webhook subscriptions, the event catalogue and metrics of a 3CX V20 relay. Authenticate with `Authorization: Bearer <prefix>.<secret>`. The `webhooks` section describes what the relay POSTs to subscriptions; /relay/asyncapi.json describes the streams.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'API key `rk_<12 hex>.<secret>` created in the admin panel.',
        },
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/relay/health': {
        get: {
          summary: 'Component statuses and version',
          security: [],
          responses: { 200: { description: 'Up' }, 503: { description: 'Own database down' } },
        },
      },
      '/relay/active-calls': {
        get: {
          summary: 'Calls in progress (scope calls:read)',
          description: [
            'While Call Control is up, the calls come from the relay’s live state (`source: "callcontrol"`), never a PBX request.',
            'While Call Control is disabled or not up, they come from XAPI `ActiveCalls`, fetched on demand and shared by every caller for about 1 s (`source: "xapi"`): caller and callee parsed from 3CX’s "DN Name" display strings, `state` from `Status`, `startedAt` from `EstablishedAt`; `callHistoryId`, `did`, `queue` and `answeredAt` are null and `participants` empty.',
            'When neither can answer: 503 `UNAVAILABLE` (no XAPI configured) or 502 `UPSTREAM_ERROR` (XAPI failed), never an empty list.',
          ].join('\n\n'),
          parameters: [
            {
              name: 'extension',
              in: 'query',
              schema: { type: 'string' },
              description: 'Only calls involving this extension (DN)',
            },
          ],
          responses: {
            200: {
              description: 'Active calls',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['source', 'count', 'calls'],
                    properties: {
                      source: { type: 'string', enum: ['callcontrol', 'xapi'] },
                      count: { type: 'integer' },
                      calls: { type: 'array', items: activeCall },
                    },
                  },
                },
              },
            },
            ...errors(401, 403, 429),
            502: {
              description: 'Call Control is not up and XAPI ActiveCalls failed',
              content: { 'application/json': { schema: error } },
            },
            503: {
              description: 'Call Control is not up and no XAPI is configured',
              content: { 'application/json': { schema: error } },
            },
          },
        },
      },
      '/relay/call-history': {
        get: {
          summary: 'Call history segments (scope history:read), newest first',
          description: [
            'From XAPI `CallHistoryView` (`source: "xapi"`, needs a 3CX Enterprise/AI licence) or, on systems without XAPI such as PRO, from 3CX’s `cdroutput` table (`source: "cdroutput"`, one row per segment). `CALL_HISTORY_SOURCE`: `auto` (XAPI when its source is enabled, else `cdroutput` when the 3CX database source is enabled), `xapi` or `cdroutput`. The source is fixed for the worker’s lifetime; a failing one answers 502.',
            'Segments from XAPI carry `segmentId` (`cdrId` and `callHistoryId` null); from `cdroutput` `cdrId` and `callHistoryId` (`segmentId` null, `answered` per segment, only ended rows). `duration` is the talk time as an ISO 8601 duration.',
          ].join('\n\n'),
          parameters: [
            {
              name: 'from',
              in: 'query',
              schema: { type: 'string', format: 'date-time' },
              description: 'Default: 24 h before `to`',
            },
            {
              name: 'to',
              in: 'query',
              schema: { type: 'string', format: 'date-time' },
              description: 'Default: now',
            },
            { name: 'extension', in: 'query', schema: { type: 'string' } },
            {
              name: 'number',
              in: 'query',
              schema: { type: 'string' },
              description: 'Substring of the caller or callee number',
            },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          ],
          responses: {
            200: {
              description: 'One page',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      source: { type: 'string', enum: ['xapi', 'cdroutput'] },
                      from: { type: 'string' },
                      to: { type: 'string' },
                      total: { type: ['integer', 'null'] },
                      limit: { type: 'integer' },
                      offset: { type: 'integer' },
                      nextOffset: { type: ['integer', 'null'] },
                      items: {
                        type: 'array',
                        items: {
                          type: 'object',
                          properties: {
                            segmentId: { type: ['integer', 'null'] },
                            cdrId: { type: ['string', 'null'], format: 'uuid' },
                            callHistoryId: { type: ['string', 'null'], format: 'uuid' },
                            startedAt: { type: 'string' },
                            endedAt: { type: 'string' },
                            answered: { type: ['boolean', 'null'] },
                            duration: { type: 'string' },
                            source: party,
                            destination: party,
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
            ...errors(400, 401, 403, 429),
            502: {
              description: 'XAPI or 3CX’s database failed (or timed out)',
              content: { 'application/json': { schema: error } },
            },
            503: {
              description:
                'Neither XAPI nor 3CX’s database is configured (or not the one CALL_HISTORY_SOURCE forces)',
              content: { 'application/json': { schema: error } },
            },
          },
        },
      },
      '/relay/ws': {
        get: {
          summary: 'Event stream over WebSocket (scope events:subscribe)',
          description: [
            'Upgrade to WebSocket. Key: Authorization header, or subprotocols `["relay.v1", "<key>"]` from browsers, or `?access_token=`.',
            'Filters like webhooks: `types` (e.g. `call.*`), `extensions`, `dids`, `queues`, `departments` (comma lists; departments are 3CX group names, carried by CDR events only).',
            '`snapshot=true`: after `hello`, one `{"kind":"snapshot","sequence":…,"activeCalls":[…]}` message with the live state (calls passing the extension/DID/queue filters), then exactly the events after that sequence: nothing missed, nothing twice. Excludes `since`; resume a dropped connection with `since=<last sequence>`.',
            '`relay.status_changed` (a PBX source went down, degraded or up) is opt-in: only clients whose `types` name it or `relay.*` receive it; no `types` filter, or `*`, means all call and CDR events.',
            '`since=<sequence>` replays stored events after that sequence, then `{"kind":"resumed"}`; if events after it were pruned, `{"kind":"history_lost","oldestAvailable":…}` comes first.',
            'Messages: `{"kind":"hello"}`, then `{"kind":"event","sequence":"…","type":…,"data":…}` per event. Close codes: 1001 shutdown, 4001 key revoked, 4008 slow consumer (over 1 MiB buffered). Server pings every 25 s.',
            `Event types: ${EVENT_TYPES.join(', ')}.`,
          ].join('\n\n'),
          parameters: [
            'types',
            'extensions',
            'dids',
            'queues',
            'departments',
            'since',
            'snapshot',
            'access_token',
          ].map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: { 101: { description: 'Switching protocols' }, ...errors(400, 401, 403, 429) },
        },
      },
      '/relay/events/stream': {
        get: {
          summary: 'Event stream as Server-Sent Events (scope events:subscribe): snapshot, then changes',
          description: [
            'The WebSocket’s stream over plain HTTP (`text/event-stream`) for EventSource, PowerShell, serverless and proxies that break WebSockets. Same filters and messages (JSON in `data:`).',
            'Starts with `event: hello`, then `event: snapshot` (id = its sequence) with the active calls, then each relay event as an unnamed event whose `id` is its sequence. `snapshot=false` skips the snapshot (live only).',
            'Resume: `Last-Event-ID` (sent by a reconnecting EventSource) or `since=<sequence>` replays the events after it instead of a snapshot, then `event: resumed`; `event: history_lost` first when retention removed part of it. A comment line every 25 s keeps proxies open.',
          ].join('\n\n'),
          parameters: [
            ...['types', 'extensions', 'dids', 'queues', 'departments', 'since'].map((name) => ({
              name,
              in: 'query',
              schema: { type: 'string' },
            })),
            { name: 'snapshot', in: 'query', schema: { type: 'boolean', default: true } },
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string', pattern: '^\\d+$' } },
          ],
          responses: {
            200: {
              description: 'The stream (first data: the snapshot)',
              content: {
                'text/event-stream': {
                  schema: {
                    type: 'string',
                    description:
                      'SSE frames; data of `event: snapshot` is a Snapshot, of unnamed events a relay event',
                  },
                },
              },
            },
            ...errors(400, 401, 403, 429),
          },
        },
      },
      '/relay/schemas': {
        get: {
          summary: 'The event catalogue: every type with its version and JSON Schema path',
          security: [],
          responses: { 200: { description: 'Index (also at /relay/schemas/index.json)' } },
        },
      },
      '/relay/schemas/index.json': {
        get: {
          summary: 'The event catalogue index',
          security: [],
          responses: { 200: { description: 'Index' } },
        },
      },
      '/relay/schemas/{file}': {
        get: {
          summary: 'JSON Schema (2020-12) of an event type, current version, e.g. call.ringing.json',
          security: [],
          parameters: [
            {
              name: 'file',
              in: 'path',
              required: true,
              schema: { type: 'string', pattern: '^[a-z_.]+\\.json$' },
            },
          ],
          responses: {
            200: { description: 'application/schema+json' },
            404: { description: 'No such type' },
          },
        },
      },
      '/relay/schemas/v1/{file}': {
        get: {
          summary: 'JSON Schema of an event type at schema version 1',
          security: [],
          parameters: [
            {
              name: 'file',
              in: 'path',
              required: true,
              schema: { type: 'string', pattern: '^[a-z_.]+\\.json$' },
            },
          ],
          responses: {
            200: { description: 'application/schema+json' },
            404: { description: 'No such type' },
          },
        },
      },
      '/relay/asyncapi.json': {
        get: {
          summary: 'AsyncAPI 3 description of the webhook, WebSocket and SSE channels',
          security: [],
          responses: { 200: { description: 'AsyncAPI 3.0' } },
        },
      },
      ...webhookPaths(),
      ...mediaPaths(),
      '/relay/metrics': {
        get: {
          summary: 'Prometheus metrics (no key from loopback; any valid key through the proxy)',
          responses: { 200: { description: 'text/plain; version=0.0.4' } },
        },
      },
      '/relay/openapi.json': {
        get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } },
      },
    },
    webhooks: outgoingWebhooks(),
  };
}

export function registerOpenApiRoute(app: FastifyInstance): void {
  const doc = JSON.stringify(openApiDocument());
  app.get('/relay/openapi.json', async (_req, reply) => reply.type('application/json').send(doc));
}
