import { createDecipheriv } from 'node:crypto';

/** Decrypts a `webhook_secrets.ciphertext` (base64 iv|tag|ciphertext, AES-256-GCM), independently of the app's code. */
export function openBox(box: string, keyBase64: string): string {
  const key = Buffer.from(keyBase64, 'base64');
  const raw = Buffer.from(box, 'base64');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
}
