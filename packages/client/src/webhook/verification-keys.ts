import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * A secret the receiver trusts: a `whsec_…` HMAC secret (signatures `v1,`) or a `whpk_…`
 * ed25519 public key (signatures `v1a,`), optionally with the instant it stops being accepted
 * (the end of a rotation's grace period).
 */
export type WebhookSecret = string | { secret: string; expiresAt?: Date | string | number };

/** A decoded secret, ready to check signatures with. */
export type VerificationKey = { scheme: 'v1'; key: Buffer } | { scheme: 'v1a'; key: KeyObject };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// DER prefix of an ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow.
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

function decodeBase64(text: string, what: string): Buffer {
  if (!BASE64.test(text)) throw new TypeError(`${what} is not base64`);
  return Buffer.from(text, 'base64');
}

/** Decodes one secret; throws a TypeError for a secret that can never verify anything. */
export function decodeSecret(secret: string): VerificationKey {
  if (secret.startsWith('whpk_')) {
    const raw = decodeBase64(secret.slice(5), 'whpk_ public key');
    if (raw.length !== 32) throw new TypeError('whpk_ public key must be 32 bytes');
    return {
      scheme: 'v1a',
      key: createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' }),
    };
  }
  if (secret.startsWith('whsk_'))
    throw new TypeError('whsk_ is a signing key: give the receiver the whpk_ public key');
  const raw = decodeBase64(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'whsec_ secret');
  if (raw.length < 16) throw new TypeError('whsec_ secret too short (at least 16 bytes)');
  return { scheme: 'v1', key: raw };
}

/** The keys still valid at `nowMs`; an empty or wrong list is a programming error (TypeError). */
export function activeKeys(secrets: readonly WebhookSecret[], nowMs: number): VerificationKey[] {
  if (!secrets || secrets.length === 0) throw new TypeError('verifyWebhook needs at least one secret');
  const keys: VerificationKey[] = [];
  for (const s of secrets) {
    if (typeof s === 'string') {
      keys.push(decodeSecret(s));
      continue;
    }
    const key = decodeSecret(s.secret);
    if (s.expiresAt === undefined || new Date(s.expiresAt).getTime() > nowMs) keys.push(key);
  }
  return keys;
}
