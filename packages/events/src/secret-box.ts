import { createCipheriv, createDecipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for webhook signing secrets: AES-256-GCM, stored as
 * base64(iv[12] | tag[16] | ciphertext). The key is the 32 bytes of `RELAY_ENCRYPTION_KEY`
 * (shared by the admin, which encrypts, and the worker, which decrypts to sign).
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
}

/** Encrypts a UTF-8 string; a fresh random IV each time. */
export function encryptSecret(plaintext: string, key: Buffer): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/** Decrypts what {@link encryptSecret} produced; throws if the key is wrong or the box was altered. */
export function decryptSecret(box: string, key: Buffer): string {
  checkKey(key);
  const raw = Buffer.from(box, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted secret is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}

/** A new Standard Webhooks signing secret: `whsec_` + base64(24 random bytes). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * A new Standard Webhooks ed25519 key pair (signatures `v1a,`). `secret` is `whsk_` +
 * base64(seed[32] | public key[32]), the 64-byte secret-key layout of libsodium and Svix;
 * `publicKey` is `whpk_` + base64(public key[32]), what receivers verify with.
 */
export function generateWebhookKeyPair(): { secret: string; publicKey: string } {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  return {
    secret: `whsk_${Buffer.concat([seed, pub]).toString('base64')}`,
    publicKey: `whpk_${pub.toString('base64')}`,
  };
}
