import { createHmac, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';

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

/**
 * A decoded signing key, ready for the hot path: an HMAC key (`v1`) or an imported ed25519
 * private key (`v1a`). Decode once per subscription load, not per delivery.
 */
export type SigningKey = { scheme: 'v1'; key: Buffer } | { scheme: 'v1a'; key: KeyObject };

// DER prefix of an ed25519 PKCS#8 private key; the 32-byte seed follows.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Decodes a `whsec_<base64>` secret to its raw HMAC key. */
export function decodeWebhookSecret(secret: string): Buffer {
  const raw = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(raw, 'base64');
  if (key.length < 16) throw new Error('webhook secret too short');
  return key;
}

/**
 * Imports a `whsk_<base64>` ed25519 signing key: 64 bytes (seed | public key, the libsodium
 * and Svix layout the admin generates) or the bare 32-byte seed. A 64-byte key whose public
 * half does not belong to its seed is refused: receivers would hold a key that never verifies.
 */
export function decodeEd25519SigningKey(secret: string): KeyObject {
  if (!secret.startsWith('whsk_')) throw new Error('ed25519 signing key must start with whsk_');
  const raw = Buffer.from(secret.slice('whsk_'.length), 'base64');
  if (raw.length !== 32 && raw.length !== 64) throw new Error('whsk_ key must be 32 or 64 bytes');
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, raw.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  if (raw.length === 64 && !ed25519PublicKey(key).equals(raw.subarray(32)))
    throw new Error('whsk_ key: public half does not match the seed');
  return key;
}

/** The raw 32-byte public key of an ed25519 key (private or public). */
export function ed25519PublicKey(key: KeyObject): Buffer {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

/** Decodes a stored key by its scheme: `v1` takes `whsec_…`, `v1a` takes `whsk_…`. */
export function decodeSigningKey(scheme: string, secret: string): SigningKey {
  if (scheme === 'v1') return { scheme, key: decodeWebhookSecret(secret) };
  if (scheme === 'v1a') return { scheme, key: decodeEd25519SigningKey(secret) };
  throw new Error(`unknown signature scheme ${JSON.stringify(scheme)}`);
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

/** `v1a,<base64 ed25519 signature>` of the exact bytes `id.timestamp.body` (`signed`). */
export function signV1a(key: KeyObject, signed: Buffer): string {
  return `v1a,${sign(null, signed, key).toString('base64')}`;
}

/**
 * Signs a body with every active key (current first, then keys still in their rotation grace
 * period) and returns the Standard Webhooks headers: the signature header is a space-separated
 * list of `v1,…` and `v1a,…` entries, so receivers holding any one of the secrets or public keys
 * verify during rotation. A bare Buffer is an HMAC (`v1`) key.
 */
export function signPayload(
  id: string,
  body: Buffer,
  keys: readonly (SigningKey | Buffer)[],
  timestampSec = Math.floor(Date.now() / 1000),
): SignedRequest {
  if (keys.length === 0) throw new Error('no signing key');
  // ed25519 signs one contiguous message: build it once for all v1a keys
  let signed: Buffer | undefined;
  const signatures = keys.map((k) => {
    if (Buffer.isBuffer(k)) return signV1(k, id, timestampSec, body);
    if (k.scheme === 'v1') return signV1(k.key, id, timestampSec, body);
    signed ??= Buffer.concat([Buffer.from(`${id}.${timestampSec}.`), body]);
    return signV1a(k.key, signed);
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestampSec),
      'webhook-signature': signatures.join(' '),
    },
  };
}
