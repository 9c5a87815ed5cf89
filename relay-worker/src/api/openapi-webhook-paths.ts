import { EVENT_TYPES } from '@3cx-relay/events';
import { errorSchema, ref, webhookSchemaName } from './openapi-schemas.js';
import { RELAY_DELIVERY_HEADERS } from './delivery-header-docs.js';

const json = (schema: unknown) => ({ 'application/json': { schema } });
const fail = (description: string) => ({ description, content: json(errorSchema) });
const ok = (description: string, schema: unknown) => ({ description, content: json(schema) });
const common = {
  400: fail('Invalid request (field by field)'),
  401: fail('Missing or invalid API key'),
  403: fail('Scope webhooks:manage or webhooks:admin required'),
  429: fail('Rate limited (see Retry-After)'),
};
const withId = { 404: fail('No such subscription, or not one this key may see') };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const page = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
];
const body = (name: string, required = true) => ({ required, content: json(ref(name)) });
const tags = ['webhooks'];

/**
 * `/relay/webhooks`: webhook subscriptions for API keys. A `webhooks:manage` key sees and
 * changes only the subscriptions it created; `webhooks:admin` sees all.
 */
export function webhookPaths(): Record<string, unknown> {
  return {
    '/relay/webhooks': {
      get: {
        tags,
        summary: 'List subscriptions (newest first)',
        parameters: page,
        responses: { 200: ok('One page', ref('SubscriptionPage')), ...common },
      },
      post: {
        tags,
        summary: 'Create a subscription (REST Hooks: subscribe)',
        description:
          'Same rules as the admin panel: http(s) URL, known event types or patterns (`call.*`), a private-network target only inside its `allowedCidrs`, endpoint options (`ordering`, `timeoutMs`, `maxConcurrency`, `rateLimitPerSecond`, encrypted `headers`), signing `hmac` (default), `ed25519` or `both`. The `whsec_` secret is in this answer only.',
        requestBody: body('SubscriptionInput'),
        responses: {
          201: ok('Created; the secret is shown this once', ref('CreatedSubscription')),
          ...common,
        },
      },
    },
    '/relay/webhooks/{id}': {
      parameters: [id],
      get: {
        tags,
        summary: 'Read a subscription',
        responses: { 200: ok('The subscription', ref('Subscription')), ...common, ...withId },
      },
      patch: {
        tags,
        summary: 'Change fields and/or enable or disable',
        requestBody: body('SubscriptionPatch'),
        responses: { 200: ok('The subscription', ref('Subscription')), ...common, ...withId },
      },
      delete: {
        tags,
        summary: 'Delete a subscription and its delivery log (REST Hooks: unsubscribe)',
        responses: { 204: { description: 'Deleted' }, ...common, ...withId },
      },
    },
    '/relay/webhooks/{id}/rotate-secret': {
      parameters: [id],
      post: {
        tags,
        summary: 'New signing keys; the old ones keep signing for graceHours (default 24)',
        requestBody: body('SecretRotation', false),
        responses: {
          200: ok('The new keys (the whsec_ this once)', ref('RotatedSecret')),
          ...common,
          ...withId,
        },
      },
    },
    '/relay/webhooks/{id}/test': {
      parameters: [id],
      post: {
        tags,
        summary: 'Send a test event',
        description:
          'Without `type`: a `relay.test` event queued like any delivery (see the delivery log). With `type`: the catalogue example of that type, signed with the subscription’s keys and sent at once; the answer carries the receiver’s status. Examples never enter the event log.',
        parameters: [{ name: 'type', in: 'query', schema: { type: 'string', enum: [...EVENT_TYPES] } }],
        responses: { 200: ok('Queued or sent', ref('TestSend')), ...common, ...withId },
      },
    },
    '/relay/webhooks/{id}/deliveries': {
      parameters: [id],
      get: {
        tags,
        summary: 'The delivery log with every attempt, newest first',
        parameters: [
          {
            name: 'status',
            in: 'query',
            schema: { type: 'string', enum: ['pending', 'succeeded', 'failed', 'cancelled'] },
          },
          ...page,
        ],
        responses: { 200: ok('One page', ref('DeliveryPage')), ...common, ...withId },
      },
    },
    '/relay/webhooks/{id}/health': {
      parameters: [id],
      get: {
        tags,
        summary: 'Delivery health: success rate, p50/p95 latency and outcomes over 24 hours and 7 days',
        description:
          'From the hourly delivery statistics (every attempt counts, retries included): `windows` for the last 24 hours and 7 days, `hourly` (24 points) and `daily` (7 points, UTC). Latency percentiles count attempts that got an HTTP answer, at histogram resolution; `outcomes` are HTTP statuses or `timeout`, `connect`, `dns`, `ssrf`, `other`.',
        responses: { 200: ok('The health figures', ref('DeliveryHealth')), ...common, ...withId },
      },
    },
    '/relay/webhooks/{id}/deliveries/{deliveryId}/retry': {
      parameters: [
        id,
        { name: 'deliveryId', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d+$' } },
      ],
      post: {
        tags,
        summary: 'Send one delivery again now',
        responses: { 200: ok('Queued', ref('QueuedDeliveries')), ...common, ...withId },
      },
    },
    '/relay/webhooks/{id}/retry-failed': {
      parameters: [id],
      post: {
        tags,
        summary: 'Send every failed delivery again now',
        responses: { 200: ok('Queued', ref('QueuedDeliveries')), ...common, ...withId },
      },
    },
    '/relay/webhooks/{id}/recover': {
      parameters: [id],
      post: {
        tags,
        summary: 'Re-send every matching event since a time (within retention) that did not succeed',
        requestBody: body('RecoverRequest'),
        responses: { 200: ok('Queued', ref('QueuedDeliveries')), ...common, ...withId },
      },
    },
  };
}

/** The OpenAPI 3.1 `webhooks` section: what the relay POSTs to a subscription, per event type. */
export function outgoingWebhooks(): Record<string, unknown> {
  const header = (name: string, description: string, required = true) => ({
    name,
    in: 'header',
    required,
    description,
    schema: { type: 'string' },
  });
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          summary: `${type} (Standard Webhooks)`,
          parameters: [
            header('webhook-id', 'The event id (evt_…): the idempotency key, the same on every retry'),
            header('webhook-timestamp', 'Unix seconds of this attempt'),
            header(
              'webhook-signature',
              'Space-separated `v1,<HMAC-SHA256>` and/or `v1a,<ed25519>` over `id.timestamp.body`',
            ),
            ...RELAY_DELIVERY_HEADERS.map((h) => header(h.name, h.description, h.always)),
          ],
          requestBody: { required: true, content: json(ref(webhookSchemaName(type))) },
          responses: {
            200: { description: 'Any 2xx: delivered' },
            410: { description: 'Gone: the relay disables the subscription' },
          },
        },
      },
    ]),
  );
}
