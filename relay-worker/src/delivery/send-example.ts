import { randomUUID } from 'node:crypto';
import { EVENT_EXAMPLES, eventId, type EventType } from '@3cx-relay/events';
import { AppError } from '../errors.js';
import { serializePayload, signPayload } from './sign-payload.js';
import { SubscriptionStore } from './subscription-store.js';
import type { SendResult, WebhookClient } from './webhook-client.js';

/** A signed example send and how the receiver answered. */
export interface ExampleSend {
  webhookId: string;
  result: SendResult;
}

/**
 * Signs the catalogue's example of `type` with the subscription's current keys and POSTs it
 * at once, through the same client (SSRF guard, timeout, no redirects) as real deliveries.
 * The example never enters the event log, so no WebSocket client, other subscription or
 * recover ever sees it; its `webhook-id` is fresh each time, so receivers do not drop it as a
 * repeat. Nothing is retried: the answer is the result.
 */
export async function sendExample(
  subscriptions: SubscriptionStore,
  client: WebhookClient,
  subscriptionId: string,
  type: EventType,
): Promise<ExampleSend> {
  const sub = (await subscriptions.getMany([subscriptionId])).get(subscriptionId);
  if (!sub) throw new AppError('NOT_FOUND', `no subscription ${subscriptionId}`);
  const keys = SubscriptionStore.signingKeys(sub);
  if (!keys.length) throw new AppError('UNAVAILABLE', sub.keyError ?? 'subscription has no signing key');
  if (sub.headerError) throw new AppError('UNAVAILABLE', sub.headerError);
  const example = EVENT_EXAMPLES[type];
  const webhookId = eventId(type, 'example', randomUUID());
  const body = serializePayload({ id: webhookId, type, occurredAt: new Date(), data: example.data });
  // The same endpoint options as a real delivery: allowed CIDRs, its own timeout, its extra headers.
  const result = await client.send(sub.url, signPayload(webhookId, body, keys), {
    allowedCidrs: sub.allowedCidrs,
    timeoutMs: sub.timeoutMs,
    headers: sub.headers,
  });
  return { webhookId, result };
}
