import { activeKeys, type WebhookSecret } from './verification-keys.js';
import { matchSignature } from './match-signature.js';
import { readDeliveryOrder } from './delivery-order.js';
import { readWebhookHeaders, type HeaderSource } from './read-headers.js';
import { parseWebhookEvent, type WebhookEvent } from './webhook-event.js';
import type { ReplayCache } from './replay-cache.js';
import { WebhookVerificationError } from './webhook-error.js';

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /**
   * Every secret currently trusted: `whsec_…` (HMAC, `v1`) and/or `whpk_…` (ed25519, `v1a`).
   * During a rotation list the new and the old one; give the old one `expiresAt` to drop it
   * automatically when its grace period ends.
   */
  secrets: readonly WebhookSecret[];
  /** Accepted clock difference between the relay and this host, in seconds (default 300). */
  toleranceSec?: number;
  /** The current time (default: now); for tests and for re-checking stored requests. */
  now?: Date;
  /** Refuses a replayed request (same `webhook-id` and timestamp); see {@link ReplayCache}. */
  replayCache?: ReplayCache;
}

/**
 * Verifies a Standard Webhooks request without the replay check: headers, timestamp within
 * the tolerance, a matching `v1`/`v1a` signature over the exact raw bytes, and the body
 * against the relay's event schemas. Throws {@link WebhookVerificationError}.
 */
export function verifyWebhookSignature(
  rawBody: string | Uint8Array,
  headers: HeaderSource,
  options: Omit<VerifyWebhookOptions, 'replayCache'>,
): WebhookEvent {
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    // Almost always a framework's JSON body parser ran first; re-serialized JSON never verifies.
    throw new TypeError('verifyWebhook needs the raw request body (string or Buffer), not a parsed object');
  }
  const h = readWebhookHeaders(headers);
  if (!/^\d{1,15}$/.test(h.timestamp))
    throw new WebhookVerificationError('bad_timestamp', 'webhook-timestamp is not Unix seconds');
  const nowMs = (options.now ?? new Date()).getTime();
  const toleranceSec = options.toleranceSec ?? 300;
  const skew = Math.floor(nowMs / 1000) - Number(h.timestamp);
  if (skew > toleranceSec)
    throw new WebhookVerificationError('too_old', `signed ${skew} s ago (tolerance ${toleranceSec} s)`);
  if (-skew > toleranceSec)
    throw new WebhookVerificationError(
      'too_new',
      `signed ${-skew} s in the future (tolerance ${toleranceSec} s)`,
    );
  const body =
    typeof rawBody === 'string'
      ? Buffer.from(rawBody, 'utf8')
      : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  const keys = activeKeys(options.secrets, nowMs);
  if (!matchSignature(keys, h.id, h.timestamp, body, h.signature)) {
    throw new WebhookVerificationError(
      'bad_signature',
      keys.length ? 'no signature matches' : 'every secret has expired',
    );
  }
  return parseWebhookEvent(h.id, body, readDeliveryOrder(headers));
}

/**
 * Verifies a webhook from the relay and returns its event: everything
 * {@link verifyWebhookSignature} checks, then the replay cache when one is given (the request
 * is remembered until its timestamp leaves the tolerance window). Throws
 * {@link WebhookVerificationError} with a `code`; a TypeError means a wrong call (no secrets,
 * an undecodable secret, a parsed body).
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: HeaderSource,
  options: VerifyWebhookOptions,
): Promise<WebhookEvent> {
  const event = verifyWebhookSignature(rawBody, headers, options);
  if (options.replayCache) {
    const { timestamp } = readWebhookHeaders(headers);
    const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000);
    const ts = Number(timestamp);
    const ttlSec = (options.toleranceSec ?? 300) + Math.max(0, ts - nowSec) + 1;
    if (!(await options.replayCache.remember(event.id, ts, ttlSec))) {
      throw new WebhookVerificationError(
        'replayed',
        `webhook ${event.id} signed at ${ts} was already accepted`,
      );
    }
  }
  return event;
}
