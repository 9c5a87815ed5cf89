import type {
  CreatedSubscription,
  DeliveryHealth,
  DeliveryPage,
  EventType,
  RotatedSecret,
  Subscription,
  SubscriptionInput,
  SubscriptionPage,
  SubscriptionPatch,
  TestSend,
} from '../types.js';
import { relayRequest, type RequestContext } from './http-request.js';
import { RelayApiError } from './relay-api-error.js';

/** Paging of the list calls. */
export interface PageQuery {
  /** 1–200, default 50. */
  limit?: number;
  offset?: number;
}

/** What {@link RelayWebhooks.subscribe} returns: enough to verify and later unsubscribe. */
export interface RestHook {
  /** The subscription id: keep it to unsubscribe. */
  id: string;
  /** `whsec_…` (HMAC): verify deliveries with it. Shown this once. */
  secret: string | null;
  /** `whpk_…` for ed25519 subscriptions. */
  publicKey: string | null;
  subscription: Subscription;
}

/**
 * The relay's webhook API (`/relay/webhooks`, scope `webhooks:manage`: a key sees and changes
 * only the subscriptions it created; `webhooks:admin`: all). Errors are `RelayApiError`.
 * `subscribe`/`unsubscribe` are the REST Hooks pattern automation platforms use.
 */
export class RelayWebhooks {
  constructor(private readonly c: RequestContext) {}

  private call<T>(method: string, path: string, parts: Parameters<typeof relayRequest>[3] = {}) {
    return relayRequest<T>(this.c, method, `/relay/webhooks${path}`, parts);
  }

  /** A page of subscriptions, newest first. */
  list(q: PageQuery = {}, signal?: AbortSignal): Promise<SubscriptionPage> {
    return this.call('GET', '', { query: { limit: q.limit, offset: q.offset }, signal });
  }

  /** Creates a subscription; the answer holds its `whsec_` secret, never shown again. */
  create(input: SubscriptionInput, signal?: AbortSignal): Promise<CreatedSubscription> {
    return this.call('POST', '', { body: input, signal });
  }

  get(id: string, signal?: AbortSignal): Promise<Subscription> {
    return this.call('GET', `/${encodeURIComponent(id)}`, { signal });
  }

  /** Changes fields; `{ enabled: false }` pauses deliveries, `{ enabled: true }` resumes them. */
  update(id: string, patch: SubscriptionPatch, signal?: AbortSignal): Promise<Subscription> {
    return this.call('PATCH', `/${encodeURIComponent(id)}`, { body: patch, signal });
  }

  /** Deletes the subscription and its delivery log. */
  async delete(id: string, signal?: AbortSignal): Promise<void> {
    await this.call('DELETE', `/${encodeURIComponent(id)}`, { signal });
  }

  /** New signing keys; the old ones keep signing for `graceHours` (default 24). */
  rotateSecret(
    id: string,
    o: { graceHours?: number; signing?: 'hmac' | 'ed25519' | 'both' } = {},
    signal?: AbortSignal,
  ): Promise<RotatedSecret> {
    return this.call('POST', `/${encodeURIComponent(id)}/rotate-secret`, { body: o, signal });
  }

  /** Without `type`, queues a `relay.test`; with it, sends that type's catalogue example at once and reports the answer. */
  test(id: string, type?: EventType, signal?: AbortSignal): Promise<TestSend> {
    return this.call('POST', `/${encodeURIComponent(id)}/test`, { query: { type }, signal });
  }

  /** The delivery log with every attempt, newest first. */
  deliveries(
    id: string,
    q: PageQuery & { status?: 'pending' | 'succeeded' | 'failed' | 'cancelled' } = {},
    signal?: AbortSignal,
  ): Promise<DeliveryPage> {
    return this.call('GET', `/${encodeURIComponent(id)}/deliveries`, {
      query: { status: q.status, limit: q.limit, offset: q.offset },
      signal,
    });
  }

  /**
   * Success rate, p50/p95 latency and outcomes over the last 24 hours and 7 days, with hourly and
   * daily points (from the relay's hourly delivery statistics).
   */
  health(id: string, signal?: AbortSignal): Promise<DeliveryHealth> {
    return this.call('GET', `/${encodeURIComponent(id)}/health`, { signal });
  }

  retryDelivery(id: string, deliveryId: string, signal?: AbortSignal): Promise<{ queued: number }> {
    return this.call(
      'POST',
      `/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/retry`,
      {
        signal,
      },
    );
  }

  retryFailed(id: string, signal?: AbortSignal): Promise<{ queued: number }> {
    return this.call('POST', `/${encodeURIComponent(id)}/retry-failed`, { signal });
  }

  /** Re-sends every matching event since `since` (within the relay's retention) that did not succeed. */
  recover(id: string, since: Date | string, signal?: AbortSignal): Promise<{ queued: number }> {
    const at = since instanceof Date ? since.toISOString() : since;
    return this.call('POST', `/${encodeURIComponent(id)}/recover`, { body: { since: at }, signal });
  }

  /**
   * REST Hooks "subscribe": creates a subscription for `targetUrl` and returns its id and
   * secret. Name it after your integration so the relay's admin sees who made it.
   */
  async subscribe(
    targetUrl: string,
    o: Omit<SubscriptionInput, 'url' | 'name'> & { name?: string } = {},
    signal?: AbortSignal,
  ): Promise<RestHook> {
    const r = await this.create(
      { ...o, name: o.name ?? `REST hook ${new URL(targetUrl).host}`, url: targetUrl },
      signal,
    );
    return { id: r.subscription.id, secret: r.secret, publicKey: r.publicKey, subscription: r.subscription };
  }

  /** REST Hooks "unsubscribe": deletes the subscription; true when it existed (idempotent). */
  async unsubscribe(id: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.delete(id, signal);
      return true;
    } catch (err) {
      if (err instanceof RelayApiError && err.status === 404) return false;
      throw err;
    }
  }
}
