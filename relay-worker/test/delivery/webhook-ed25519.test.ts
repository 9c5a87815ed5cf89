import { createPublicKey, verify } from 'node:crypto';
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyWebhook } from '@3cx-relay/client';
import { encryptSecret, generateWebhookKeyPair, generateWebhookSecret } from '@3cx-relay/events';
import { sendTest } from '../../src/delivery/replay.js';
import {
  ENCRYPTION_KEY,
  Receiver,
  createSubscription,
  makeEvent,
  startHarness,
  waitFor,
  type Harness,
  type Received,
} from './harness.js';

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** Whether any `v1a,` entry of the request verifies with this `whpk_` key (node:crypto only). */
function v1aVerifies(whpk: string, req: Received): boolean {
  const key = createPublicKey({
    key: Buffer.concat([SPKI_ED25519, Buffer.from(whpk.slice(5), 'base64')]),
    format: 'der',
    type: 'spki',
  });
  const signed = Buffer.from(
    `${String(req.headers['webhook-id'])}.${String(req.headers['webhook-timestamp'])}.${req.body}`,
  );
  return String(req.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [v, sig] = entry.split(',');
      return v === 'v1a' && !!sig && verify(null, signed, key, Buffer.from(sig, 'base64'));
    });
}

const versions = (req: Received) =>
  String(req.headers['webhook-signature'])
    .split(' ')
    .map((e) => e.split(',')[0]);

/** Adds a stored key the way the admin does: the private part encrypted, the public key in clear. */
async function addKey(
  pool: pg.Pool,
  subscriptionId: string,
  key:
    | { scheme: 'v1'; secret: string; expiresAt?: Date; createdAt?: Date }
    | { scheme: 'v1a'; secret: string; publicKey: string; expiresAt?: Date; createdAt?: Date },
): Promise<void> {
  await pool.query(
    `INSERT INTO webhook_secrets (subscription_id, scheme, ciphertext, public_key, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      subscriptionId,
      key.scheme,
      encryptSecret(key.secret, ENCRYPTION_KEY),
      key.scheme === 'v1a' ? key.publicKey : null,
      key.expiresAt ?? null,
      key.createdAt ?? new Date(),
    ],
  );
}

describe('webhook delivery with ed25519 (v1a) signatures', () => {
  let h: Harness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(async () => {
    rx = await new Receiver().start();
    return () => rx.stop();
  });

  it('an ed25519-only subscription sends one v1a signature the whpk_ key verifies', async () => {
    const sub = await createSubscription(h.pool, { url: rx.url, secrets: [] });
    const pair = generateWebhookKeyPair();
    await addKey(h.pool, sub.id, { scheme: 'v1a', ...pair });
    const [ev] = await h.store.append([makeEvent('call.ringing')]);
    const [req] = await waitFor(
      () => rx.received,
      (r) => r.length === 1,
    );
    expect(req!.headers['webhook-id']).toBe(ev!.id);
    expect(versions(req!)).toEqual(['v1a']);
    expect(v1aVerifies(pair.publicKey, req!)).toBe(true);
    expect(v1aVerifies(generateWebhookKeyPair().publicKey, req!)).toBe(false);
    // the reference library only knows v1: nothing for it to accept here
    expect(() =>
      new Webhook(generateWebhookSecret()).verify(req!.body, req!.headers as Record<string, string>),
    ).toThrow();
    const rows = await waitFor(
      async () =>
        (await h.pool.query(`SELECT status FROM deliveries WHERE subscription_id = $1`, [sub.id])).rows,
      (r) => r[0]?.status === 'succeeded',
    );
    expect(rows).toEqual([{ status: 'succeeded' }]);
  });

  it('a relay.test to an HMAC+ed25519 subscription verifies with @3cx-relay/client using either the whsec_ or the whpk_', async () => {
    const sub = await createSubscription(h.pool, { url: rx.url });
    const pair = generateWebhookKeyPair();
    await addKey(h.pool, sub.id, { scheme: 'v1a', ...pair });
    await sendTest(h.pool, h.store, sub.id);
    const [req] = await waitFor(
      () => rx.received,
      (r) => r.length === 1,
    );
    expect(versions(req!).sort()).toEqual(['v1', 'v1a']);
    for (const secret of [sub.secrets[0]!, pair.publicKey]) {
      const event = await verifyWebhook(req!.body, req!.headers, { secrets: [secret] });
      expect(event).toMatchObject({ type: 'relay.test', data: { subscriptionId: sub.id } });
    }
  });

  it('rotation: the old ed25519 key signs beside the new one until it expires, current keys first', async () => {
    const sub = await createSubscription(h.pool, { url: rx.url, secrets: [] });
    const [oldPair, newPair] = [generateWebhookKeyPair(), generateWebhookKeyPair()];
    const hmac = generateWebhookSecret();
    await addKey(h.pool, sub.id, {
      scheme: 'v1a',
      ...oldPair,
      createdAt: new Date(Date.now() - 60_000),
      expiresAt: new Date(Date.now() + 1500),
    });
    await addKey(h.pool, sub.id, { scheme: 'v1a', ...newPair });
    await addKey(h.pool, sub.id, { scheme: 'v1', secret: hmac });
    await h.store.append([makeEvent('call.ended')]);
    const [first] = await waitFor(
      () => rx.received,
      (r) => r.length === 1,
    );
    const entries = String(first!.headers['webhook-signature']).split(' ');
    expect(versions(first!)).toEqual(['v1', 'v1a', 'v1a']);
    for (const pk of [oldPair.publicKey, newPair.publicKey]) expect(v1aVerifies(pk, first!)).toBe(true);
    // the expiring key's signature is last: the current ones come first
    expect(
      v1aVerifies(oldPair.publicKey, {
        ...first!,
        headers: { ...first!.headers, 'webhook-signature': entries[2] },
      }),
    ).toBe(true);

    await new Promise((r) => setTimeout(r, 1600));
    await h.store.append([makeEvent('call.ended')]);
    const [, second] = await waitFor(
      () => rx.received,
      (r) => r.length === 2,
    );
    expect(versions(second!)).toEqual(['v1', 'v1a']);
    expect(v1aVerifies(newPair.publicKey, second!)).toBe(true);
    expect(v1aVerifies(oldPair.publicKey, second!)).toBe(false);
  });

  it('an undecodable whsk_ key fails the attempt with a clear error instead of sending unsigned', async () => {
    const sub = await createSubscription(h.pool, { url: rx.url, secrets: [] });
    const pair = generateWebhookKeyPair();
    await addKey(h.pool, sub.id, { scheme: 'v1a', secret: 'whsk_AAAA', publicKey: pair.publicKey });
    await h.store.append([makeEvent('call.ended')]);
    const rows = await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT a.error FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1`,
            [sub.id],
          )
        ).rows,
      (r) => r.length >= 1,
    );
    expect(rows[0].error).toMatch(/32 or 64 bytes/);
    expect(rx.received).toHaveLength(0);
  });
});
