import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, generateWebhookSecret } from './secret-box.js';

describe('secret box', () => {
  const key = randomBytes(32);

  it('round-trips a webhook secret with a fresh IV each time', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const a = encryptSecret(secret, key);
    expect(a).not.toBe(encryptSecret(secret, key));
    expect(Buffer.from(a, 'base64').length).toBe(12 + 16 + secret.length);
    expect(decryptSecret(a, key)).toBe(secret);
  });

  it('refuses a wrong key and a tampered box', () => {
    const box = encryptSecret('whsec_x', key);
    expect(() => decryptSecret(box, randomBytes(32))).toThrow();
    const raw = Buffer.from(box, 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => decryptSecret(raw.toString('base64'), key)).toThrow();
    expect(() => encryptSecret('x', randomBytes(16))).toThrow(/32 bytes/);
  });
});
