export {
  verifyWebhook,
  verifyWebhookSignature,
  type VerifyWebhookOptions,
} from './webhook/verify-webhook.js';
export { WebhookVerificationError, type WebhookErrorCode } from './webhook/webhook-error.js';
export {
  MemoryReplayCache,
  type MemoryReplayCacheOptions,
  type ReplayCache,
} from './webhook/replay-cache.js';
export type { WebhookEvent } from './webhook/webhook-event.js';
export { readDeliveryOrder, type DeliveryOrder } from './webhook/delivery-order.js';
export {
  CallOrderTracker,
  type CallOrderTrackerOptions,
  type OrderCheck,
  type OrderVerdict,
} from './webhook/call-order-tracker.js';
export type { WebhookSecret } from './webhook/verification-keys.js';
export type { HeaderSource } from './webhook/read-headers.js';
export { RelayClient, type RelayClientOptions } from './rest/relay-client.js';
export { RelayWebhooks, type PageQuery, type RestHook } from './rest/relay-webhooks.js';
export { RelayApiError } from './rest/relay-api-error.js';
export type * from './rest/rest-types.js';
export {
  RelayEventStream,
  type RelayEventStreamEvents,
  type RelayEventStreamOptions,
  type StreamItem,
} from './stream/relay-event-stream.js';
export { RelayStreamError, type RelayStreamErrorCode } from './stream/relay-stream-error.js';
export type { HistoryLost, Resumed } from './stream/server-message.js';
export type { StreamFilter } from './stream/stream-url.js';
export type { BackoffOptions } from './stream/backoff.js';
export type * from './types.js';
