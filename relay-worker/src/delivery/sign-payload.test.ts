import { createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook } from '@3cx-relay/client';
import { generateWebhookKeyPair, generateWebhookSecret } from '@3cx-relay/events';
import {
  decodeEd25519SigningKey,
  decodeSigningKey,
  decodeWebhookSecret,
  serializePayload,
  signPayload,
  signV1,
} from './sign-payload.js';

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** Verifies one `v1a,` entry with a `whpk_` key using node:crypto only (the spec's recipe). */
function verifiesV1a(whpk: string, headers: Record<string, string>, body: Buffer, entry: string): boolean {
  const key = createPublicKey({
    key: Buffer.concat([SPKI_ED25519, Buffer.from(whpk.slice('whpk_'.length), 'base64')]),
    format: 'der',
    type: 'spki',
  });
  const [version, sig] = entry.split(',');
  const signed = Buffer.concat([
    Buffer.from(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`),
    body,
  ]);
  return version === 'v1a' && verify(null, signed, key, Buffer.from(sig!, 'base64'));
}

const testBody = () =>
  serializePayload({
    id: 'evt_1',
    type: 'relay.test',
    occurredAt: new Date(),
    data: { message: 'prüfung ✓', subscriptionId: null },
  });

describe('signPayload', () => {
  it('matches the Svix/Standard Webhooks test vector', () => {
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    const sig = signV1(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, Buffer.from('{"test": 2432232314}'));
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('is verified by the standardwebhooks library with either secret during rotation', () => {
    const current = `whsec_${randomBytes(24).toString('base64')}`;
    const old = `whsec_${randomBytes(24).toString('base64')}`;
    const body = serializePayload({
      id: 'evt_1',
      type: 'call.ringing',
      occurredAt: new Date(),
      data: { a: 'ü' },
    });
    const req = signPayload('evt_1', body, [decodeWebhookSecret(current), decodeWebhookSecret(old)]);
    expect(req.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [current, old]) {
      expect(new Webhook(secret).verify(body.toString('utf8'), req.headers)).toMatchObject({
        type: 'call.ringing',
      });
    }
    expect(() =>
      new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(body.toString(), req.headers),
    ).toThrow();
  });

  it('signs v1a with an ed25519 whsk_ key: node:crypto verifies it with the whpk_ key, another key does not', () => {
    const pair = generateWebhookKeyPair();
    const body = testBody();
    const req = signPayload('evt_1', body, [decodeSigningKey('v1a', pair.secret)], 1_800_000_000);
    const entries = req.headers['webhook-signature']!.split(' ');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(verifiesV1a(pair.publicKey, req.headers, body, entries[0]!)).toBe(true);
    expect(verifiesV1a(generateWebhookKeyPair().publicKey, req.headers, body, entries[0]!)).toBe(false);
    const tampered = Buffer.from(body);
    tampered[tampered.length - 2]! ^= 1;
    expect(verifiesV1a(pair.publicKey, req.headers, tampered, entries[0]!)).toBe(false);
  });

  it('is verified by @3cx-relay/client verifyWebhook with the whpk_ key alone, but not with a whsec_ secret', async () => {
    const pair = generateWebhookKeyPair();
    const body = testBody();
    const now = new Date();
    const req = signPayload('evt_1', body, [decodeSigningKey('v1a', pair.secret)]);
    const event = await verifyWebhook(body, req.headers, { secrets: [pair.publicKey], now });
    expect(event).toMatchObject({ id: 'evt_1', type: 'relay.test' });
    await expect(
      verifyWebhook(body, req.headers, { secrets: [generateWebhookSecret()], now }),
    ).rejects.toMatchObject({ code: 'bad_signature' });
  });

  it('emits v1 and v1a entries for mixed keys in the given order, each verifiable by its own key', async () => {
    const hmac = generateWebhookSecret();
    const [current, old] = [generateWebhookKeyPair(), generateWebhookKeyPair()];
    const body = testBody();
    const keys = [
      decodeSigningKey('v1', hmac),
      decodeSigningKey('v1a', current.secret),
      decodeSigningKey('v1a', old.secret),
    ];
    const req = signPayload('evt_1', body, keys);
    const entries = req.headers['webhook-signature']!.split(' ');
    expect(entries.map((e) => e.split(',')[0])).toEqual(['v1', 'v1a', 'v1a']);
    expect(verifiesV1a(current.publicKey, req.headers, body, entries[1]!)).toBe(true);
    expect(verifiesV1a(old.publicKey, req.headers, body, entries[2]!)).toBe(true);
    expect(new Webhook(hmac).verify(body.toString(), req.headers)).toMatchObject({ type: 'relay.test' });
    for (const secret of [hmac, current.publicKey, old.publicKey]) {
      await expect(verifyWebhook(body, req.headers, { secrets: [secret] })).resolves.toMatchObject({
        id: 'evt_1',
      });
    }
  });
});

describe('ed25519 signing keys', () => {
  it('generates whsk_ as seed|public (64 bytes) and whpk_ as the 32-byte public key', () => {
    const pair = generateWebhookKeyPair();
    expect(pair.secret).toMatch(/^whsk_[A-Za-z0-9+/]{86}==$/);
    expect(pair.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const raw = Buffer.from(pair.secret.slice(5), 'base64');
    expect(raw.subarray(32).toString('base64')).toBe(pair.publicKey.slice(5));
    expect(generateWebhookKeyPair().secret).not.toBe(pair.secret);
  });

  it('accepts the bare 32-byte seed and signs like the 64-byte form', () => {
    const pair = generateWebhookKeyPair();
    const seedOnly = `whsk_${Buffer.from(pair.secret.slice(5), 'base64').subarray(0, 32).toString('base64')}`;
    const body = testBody();
    const a = signPayload('evt_1', body, [decodeSigningKey('v1a', pair.secret)], 1_800_000_000);
    const b = signPayload('evt_1', body, [decodeSigningKey('v1a', seedOnly)], 1_800_000_000);
    // ed25519 is deterministic: same key, same message, same signature
    expect(b.headers['webhook-signature']).toBe(a.headers['webhook-signature']);
  });

  it('refuses keys that could never verify: wrong prefix, wrong length, public half of another key', () => {
    const pair = generateWebhookKeyPair();
    const seed = Buffer.from(pair.secret.slice(5), 'base64').subarray(0, 32);
    const otherPub = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!;
    const mismatched = `whsk_${Buffer.concat([seed, Buffer.from(otherPub, 'base64url')]).toString('base64')}`;
    expect(() => decodeEd25519SigningKey(pair.publicKey)).toThrow(/whsk_/);
    expect(() => decodeEd25519SigningKey(`whsk_${randomBytes(40).toString('base64')}`)).toThrow(/32 or 64/);
    expect(() => decodeEd25519SigningKey(mismatched)).toThrow(/does not match/);
    expect(() => decodeSigningKey('v2', pair.secret)).toThrow(/unknown signature scheme/);
    expect(() => decodeSigningKey('v1', 'whsec_AAAA')).toThrow(/too short/);
  });
});
