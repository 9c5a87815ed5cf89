import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decodeWebhookSecret, serializePayload, signPayload, signV1 } from './sign-payload.js';

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
});
