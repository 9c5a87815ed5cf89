import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

const good = {
  DATABASE_URL: 'postgresql://relay@127.0.0.1:5432/relay',
  NEXTAUTH_SECRET: 'x'.repeat(32),
  NEXTAUTH_URL: 'https://pbx.example.com/admin/api/auth',
  RELAY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

describe('admin config', () => {
  it('accepts a complete environment; https turns on Secure cookies', () => {
    const c = parseConfig(good);
    expect(c.encryptionKey).toHaveLength(32);
    expect(c.secureCookies).toBe(true);
    expect(parseConfig({ ...good, NEXTAUTH_URL: 'http://127.0.0.1:3000/admin/api/auth' }).secureCookies).toBe(
      false,
    );
  });

  it('accepts the encryption key as 64 hex characters', () => {
    const hex = randomBytes(32).toString('hex');
    expect(parseConfig({ ...good, RELAY_ENCRYPTION_KEY: hex }).encryptionKey.toString('hex')).toBe(hex);
  });

  it('rejects bad settings with one readable line each', () => {
    let message = '';
    try {
      parseConfig({
        ...good,
        DATABASE_URL: 'mysql://x',
        NEXTAUTH_SECRET: 'short',
        RELAY_ENCRYPTION_KEY: 'abc',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'Invalid admin configuration:',
      'DATABASE_URL: must be a postgresql:// URL',
      'NEXTAUTH_SECRET: must be at least 32 characters',
      'RELAY_ENCRYPTION_KEY: must be 32 bytes, as base64 or 64 hex characters',
    ]);
  });
});
