import { createHmac } from 'node:crypto';

/** What a receiver gets: the Standard Webhooks payload, serialized exactly once. */
export interface SignedRequest {
  /** The exact bytes that were signed and are sent. */
  body: Buffer;
  headers: Record<string, string>;
}

/** The fields of a stored event a webhook body is built from. */
export interface PayloadEvent {
  id: string;
  type: string;
  occurredAt: Date;
  data: unknown;
}

/** Decodes a `whsec_<base64>` secret to its raw HMAC key. */
export function decodeWebhookSecret(secret: string): Buffer {
  const raw = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(raw, 'base64');
  if (key.length < 16) throw new Error('webhook secret too short');
  return key;
}

/** `{"type","timestamp","data"}` as bytes; built once per event and reused for every subscription. */
export function serializePayload(event: PayloadEvent): Buffer {
  return Buffer.from(
    JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data }),
  );
}

/** `v1,<base64 HMAC-SHA256(id.timestamp.body)>` for one key. */
export function signV1(key: Buffer, id: string, timestampSec: number, body: Buffer): string {
  const mac = createHmac('sha256', key);
  mac.update(`${id}.${timestampSec}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

/**
 * Signs a body with every active key (current first, then keys still in their rotation grace
 * period) and returns the Standard Webhooks headers: the signature header is a space-separated
 * list, so receivers holding either secret verify during rotation.
 */
export function signPayload(
  id: string,
  body: Buffer,
  keys: readonly Buffer[],
  timestampSec = Math.floor(Date.now() / 1000),
): SignedRequest {
  if (keys.length === 0) throw new Error('no signing key');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestampSec),
      'webhook-signature': keys.map((k) => signV1(k, id, timestampSec, body)).join(' '),
    },
  };
}
