import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '@3cx-relay/events';
import { decodeWebhookSecret, signPayload } from '../../../relay-worker/src/delivery/sign-payload.js';
import { buildBody } from '../../../relay-worker/src/delivery/claim-due-deliveries.js';
import {
  MemoryReplayCache,
  verifyWebhook,
  verifyWebhookSignature,
  WebhookVerificationError,
  type WebhookErrorCode,
} from '../src/index.js';
import { ringing, webhookBody } from './support/valid-events.js';

const NOW = new Date('2026-11-24T10:00:00Z');
const TS = Math.floor(NOW.getTime() / 1000);

/** A request signed by the standardwebhooks library (the spec's reference implementation). */
function signedBySpecLib(secret: string, body: string, id = ringing().id, at = NOW) {
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    body,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<WebhookErrorCode | 'ok'> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'ok';
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code;
    throw err;
  }
}

describe('verifyWebhook - interoperability', () => {
  it('accepts a signature made by the standardwebhooks library and returns the typed event', async () => {
    const secret = generateWebhookSecret();
    const e = ringing('204');
    const req = signedBySpecLib(secret, webhookBody(e), e.id);
    const event = await verifyWebhook(req.body, req.headers, { secrets: [secret], now: NOW });
    expect(event).toMatchObject({
      id: e.id,
      type: 'call.ringing',
      timestamp: e.occurredAt.toISOString(),
      envelope: null,
    });
    if (event.type !== 'call.ringing') throw new Error('narrowing');
    expect(event.data.extension).toBe('204');
    expect(event.data.caller.name).toBe('Ünal Çelik');
  });

  it('accepts what the relay itself signs (sign-payload.ts over the dispatcher body), with either rotation secret', async () => {
    const [current, old] = [generateWebhookSecret(), generateWebhookSecret()];
    const e = ringing();
    const body = buildBody({ eventType: e.type, occurredAt: e.occurredAt, dataJson: JSON.stringify(e.data) });
    const req = signPayload(e.id, body, [decodeWebhookSecret(current), decodeWebhookSecret(old)], TS);
    for (const secret of [current, old]) {
      const event = await verifyWebhook(req.body, req.headers, { secrets: [secret], now: NOW });
      expect(event.id).toBe(e.id);
    }
  });

  it('gets past the signature check on the Svix/Standard Webhooks test vector', async () => {
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const opts = { secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], now: new Date(1614265330_000) };
    // Signature right, but the vector's body is not a relay event.
    expect(await codeOf(verifyWebhook('{"test": 2432232314}', headers, opts))).toBe('malformed_payload');
    expect(await codeOf(verifyWebhook('{"test": 2432232315}', headers, opts))).toBe('bad_signature');
  });

  it('verifies ed25519 v1a signatures against a whpk_ public key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const whpk = `whpk_${publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64')}`;
    const e = ringing();
    const body = webhookBody(e);
    const sig = sign(null, Buffer.from(`${e.id}.${TS}.${body}`), privateKey).toString('base64');
    const headers = {
      'webhook-id': e.id,
      'webhook-timestamp': String(TS),
      'webhook-signature': `v1,${randomBytes(32).toString('base64')} v1a,${sig}`,
    };
    expect((await verifyWebhook(body, headers, { secrets: [whpk], now: NOW })).id).toBe(e.id);
    expect(await codeOf(verifyWebhook(body + ' ', headers, { secrets: [whpk], now: NOW }))).toBe(
      'bad_signature',
    );
    // An HMAC secret does not accept a header that carries only v1a.
    expect(
      await codeOf(
        verifyWebhook(
          body,
          { ...headers, 'webhook-signature': `v1a,${sig}` },
          { secrets: [generateWebhookSecret()], now: NOW },
        ),
      ),
    ).toBe('bad_signature');
  });
});

describe('verifyWebhook - error codes', () => {
  const secret = generateWebhookSecret();
  const e = ringing();
  const req = signedBySpecLib(secret, webhookBody(e), e.id);
  const opts = { secrets: [secret], now: NOW };

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'missing_headers without %s',
    async (name) => {
      const headers: Record<string, string> = { ...req.headers };
      delete headers[name];
      expect(await codeOf(verifyWebhook(req.body, headers, opts))).toBe('missing_headers');
    },
  );

  it('bad_timestamp for a timestamp that is not Unix seconds', async () => {
    for (const ts of ['abc', '1.5', '-3', '2026-11-24T10:00:00Z']) {
      expect(await codeOf(verifyWebhook(req.body, { ...req.headers, 'webhook-timestamp': ts }, opts))).toBe(
        'bad_timestamp',
      );
    }
  });

  it('too_old and too_new outside the tolerance, which is configurable', async () => {
    const at = (s: number) => new Date(NOW.getTime() + s * 1000);
    expect(await codeOf(verifyWebhook(req.body, req.headers, { ...opts, now: at(300) }))).toBe('ok');
    expect(await codeOf(verifyWebhook(req.body, req.headers, { ...opts, now: at(301) }))).toBe('too_old');
    expect(await codeOf(verifyWebhook(req.body, req.headers, { ...opts, now: at(-301) }))).toBe('too_new');
    expect(
      await codeOf(verifyWebhook(req.body, req.headers, { ...opts, now: at(31), toleranceSec: 30 })),
    ).toBe('too_old');
    expect(
      await codeOf(verifyWebhook(req.body, req.headers, { ...opts, now: at(900), toleranceSec: 1000 })),
    ).toBe('ok');
  });

  it('bad_signature for a wrong secret, a body changed by one byte or a re-serialized body', async () => {
    expect(
      await codeOf(verifyWebhook(req.body, req.headers, { ...opts, secrets: [generateWebhookSecret()] })),
    ).toBe('bad_signature');
    expect(await codeOf(verifyWebhook(req.body.replace('101', '102'), req.headers, opts))).toBe(
      'bad_signature',
    );
    const reserialized = JSON.stringify(JSON.parse(req.body), null, 1);
    expect(await codeOf(verifyWebhook(reserialized, req.headers, opts))).toBe('bad_signature');
    expect(await codeOf(verifyWebhook(req.body, { ...req.headers, 'webhook-signature': 'v1,' }, opts))).toBe(
      'bad_signature',
    );
  });

  it('malformed_payload for a signed body that is not JSON, of an unknown type, or with data off the schema', async () => {
    const bodies = [
      'not json',
      JSON.stringify({ type: 'call.exploded', timestamp: NOW.toISOString(), data: {} }),
      JSON.stringify({ type: 'call.ringing', timestamp: NOW.toISOString(), data: { callId: 1 } }),
      JSON.stringify({ type: 'call.ringing', timestamp: 'yesterday', data: e.data }),
    ];
    for (const body of bodies) {
      const r = signedBySpecLib(secret, body, e.id);
      expect(await codeOf(verifyWebhook(r.body, r.headers, opts))).toBe('malformed_payload');
    }
  });

  it('replayed for the same request twice; the relay’s retry (new timestamp, new signature) still passes', async () => {
    const cache = new MemoryReplayCache({ now: () => NOW.getTime() });
    const withCache = { ...opts, replayCache: cache };
    expect(await codeOf(verifyWebhook(req.body, req.headers, withCache))).toBe('ok');
    expect(await codeOf(verifyWebhook(req.body, req.headers, withCache))).toBe('replayed');
    const retry = signedBySpecLib(secret, req.body, e.id, new Date(NOW.getTime() + 5000));
    expect(
      await codeOf(
        verifyWebhook(retry.body, retry.headers, { ...withCache, now: new Date(NOW.getTime() + 5000) }),
      ),
    ).toBe('ok');
    // The older capture cannot be replayed after the newer one either.
    expect(await codeOf(verifyWebhook(req.body, req.headers, withCache))).toBe('replayed');
    // A forged request never enters the cache.
    const other = ringing();
    const forged = { ...signedBySpecLib(generateWebhookSecret(), webhookBody(other), other.id) };
    expect(await codeOf(verifyWebhook(forged.body, forged.headers, withCache))).toBe('bad_signature');
    expect(cache.size).toBe(1);
  });

  it('throws a TypeError for a parsed body, no secrets or an undecodable secret', async () => {
    await expect(verifyWebhook(JSON.parse(req.body) as string, req.headers, opts)).rejects.toThrow(TypeError);
    await expect(verifyWebhook(req.body, req.headers, { secrets: [], now: NOW })).rejects.toThrow(TypeError);
    await expect(verifyWebhook(req.body, req.headers, { secrets: ['whsec_%%%'], now: NOW })).rejects.toThrow(
      TypeError,
    );
    await expect(verifyWebhook(req.body, req.headers, { secrets: ['whsk_AAAA'], now: NOW })).rejects.toThrow(
      /whpk_/,
    );
  });
});

describe('verifyWebhook - rotation and input shapes', () => {
  it('accepts any of several secrets, several v1 entries, and drops a secret once it expires', async () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const e = ringing();
    const req = signedBySpecLib(oldSecret, webhookBody(e), e.id);
    const header = `v1,${randomBytes(32).toString('base64')} ${req.headers['webhook-signature']}`;
    const headers = { ...req.headers, 'webhook-signature': header };
    const rotating = [newSecret, { secret: oldSecret, expiresAt: new Date(NOW.getTime() + 3600_000) }];
    expect((await verifyWebhook(req.body, headers, { secrets: rotating, now: NOW })).id).toBe(e.id);
    const expired = [newSecret, { secret: oldSecret, expiresAt: NOW }];
    expect(await codeOf(verifyWebhook(req.body, headers, { secrets: expired, now: NOW }))).toBe(
      'bad_signature',
    );
  });

  it('takes the raw body as a Buffer and headers as Fetch Headers, Node arrays or any casing', () => {
    const secret = generateWebhookSecret();
    const e = ringing();
    const req = signedBySpecLib(secret, webhookBody(e), e.id);
    const opts = { secrets: [secret], now: NOW };
    expect(verifyWebhookSignature(Buffer.from(req.body), new Headers(req.headers), opts).id).toBe(e.id);
    const upper = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhookSignature(new Uint8Array(Buffer.from(req.body)), upper, opts).id).toBe(e.id);
    expect(
      verifyWebhookSignature(
        req.body,
        { ...req.headers, 'webhook-signature': ['v1,AAAA', req.headers['webhook-signature']] },
        opts,
      ).id,
    ).toBe(e.id);
  });

  it('accepts a body carrying the full event envelope, and insists its id is the webhook-id', async () => {
    const secret = generateWebhookSecret();
    const e = ringing();
    const envelope = {
      id: e.id,
      type: e.type,
      schemaVersion: 1,
      sequence: '42',
      occurredAt: e.occurredAt.toISOString(),
      callId: e.callId,
      callHistoryId: null,
      extensions: e.extensions,
      dids: [],
      queues: [],
      data: e.data,
    };
    const ok = signedBySpecLib(secret, JSON.stringify(envelope), e.id);
    const event = await verifyWebhook(ok.body, ok.headers, { secrets: [secret], now: NOW });
    expect(event.envelope?.sequence).toBe('42');
    const mismatch = signedBySpecLib(secret, JSON.stringify(envelope), ringing().id);
    expect(
      await codeOf(verifyWebhook(mismatch.body, mismatch.headers, { secrets: [secret], now: NOW })),
    ).toBe('malformed_payload');
  });
});
