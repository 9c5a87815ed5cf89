import {
  EVENT_TYPES,
  SecretRotation,
  SubscriptionInput,
  SubscriptionPatch,
  createdSubscriptionSchema,
  deliveryHealthSchema,
  deliveryPageSchema,
  queuedDeliveriesSchema,
  rotatedSecretSchema,
  snapshotMessageSchema,
  subscriptionPageSchema,
  subscriptionViewSchema,
  testSendSchema,
  toJsonSchema,
  webhookBodySchema,
} from '@3cx-relay/events';
import { z } from 'zod';

/** `#/components/schemas/<name>`. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The JSON error body every route answers failures with. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

const typeName = (type: string) =>
  type
    .split(/[._]/)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');

/** The webhook body schema's component name of an event type (`CallRingingWebhook`). */
export const webhookSchemaName = (type: string) => `${typeName(type)}Webhook`;

/**
 * The OpenAPI components generated from the zod schemas the worker validates and serializes
 * with (request bodies in input form: defaults optional). No schema here is written by hand
 * except the error body.
 */
export function componentSchemas(): Record<string, unknown> {
  const input = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input' });
  const strip = (s: Record<string, unknown>) => {
    delete s.$schema;
    return s;
  };
  return {
    Error: errorSchema,
    SubscriptionInput: strip(input(SubscriptionInput)),
    SubscriptionPatch: strip(input(SubscriptionPatch)),
    SecretRotation: strip(input(SecretRotation)),
    RecoverRequest: {
      type: 'object',
      required: ['since'],
      properties: { since: { type: 'string', format: 'date-time' } },
    },
    Subscription: toJsonSchema(subscriptionViewSchema),
    SubscriptionPage: toJsonSchema(subscriptionPageSchema),
    CreatedSubscription: toJsonSchema(createdSubscriptionSchema),
    RotatedSecret: toJsonSchema(rotatedSecretSchema),
    DeliveryPage: toJsonSchema(deliveryPageSchema),
    DeliveryHealth: toJsonSchema(deliveryHealthSchema),
    QueuedDeliveries: toJsonSchema(queuedDeliveriesSchema),
    TestSend: toJsonSchema(testSendSchema),
    Snapshot: toJsonSchema(snapshotMessageSchema),
    ...Object.fromEntries(EVENT_TYPES.map((t) => [webhookSchemaName(t), toJsonSchema(webhookBodySchema(t))])),
  };
}
