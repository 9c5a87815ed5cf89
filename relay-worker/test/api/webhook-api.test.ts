import { randomBytes } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_EXAMPLES, EVENT_TYPES, eventJsonSchema } from '@3cx-relay/events';
import { createApiKey } from '../support/api-keys.js';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness.js';
import { Receiver, makeEvent, waitFor } from '../delivery/harness.js';

/** A REST call with a key; returns status and parsed body. */
async function call(h: WorkerHarness, key: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(h.worker.url + path, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);
for (const t of EVENT_TYPES) ajv.addSchema(eventJsonSchema(t));

describe('/relay/webhooks with API keys', () => {
  let h: WorkerHarness;
  let rx: Receiver;
  let manage: string;
  let manageId: string;
  let other: string;
  let admin: string;
  let viewer: string;
  let subId: string;
  let secret: string;

  beforeAll(async () => {
    h = await startWorkerHarness('whapi', {
      RELAY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      DELIVERY_RETRY_SCHEDULE: '100ms,100ms',
      DELIVERY_RETRY_JITTER: '0',
    });
    rx = await new Receiver().start();
    const k = await createApiKey(h.pool, ['webhooks:manage']);
    [manage, manageId] = [k.key, k.id];
    other = (await createApiKey(h.pool, ['webhooks:manage', 'events:subscribe'])).key;
    admin = (await createApiKey(h.pool, ['webhooks:manage', 'webhooks:admin'])).key;
    viewer = (await createApiKey(h.pool, ['calls:read', 'history:read', 'events:subscribe'])).key;
  });
  afterAll(async () => {
    await rx?.stop();
    await h?.stop();
  });

  it('refuses a request without a key (401) and a key without a webhooks scope (403)', async () => {
    expect((await call(h, null, 'GET', '/relay/webhooks')).status).toBe(401);
    const r = await call(h, viewer, 'GET', '/relay/webhooks');
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/webhooks:manage or webhooks:admin/);
    expect((await call(h, viewer, 'POST', '/relay/webhooks', { name: 'x', url: rx.url })).status).toBe(403);
  });

  it('POST creates with the admin rules: secret shown once, the SSRF rule, unknown types refused', async () => {
    const bad = await call(h, manage, 'POST', '/relay/webhooks', { name: 'crm', url: rx.url });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^url: 127\.0\.0\.1 is a loopback address \(local network\)/);
    const badType = await call(h, manage, 'POST', '/relay/webhooks', {
      name: 'crm',
      url: 'https://crm.example.com/hook',
      eventTypes: ['call.exploded'],
    });
    expect(badType.body.error.message).toBe('eventTypes: unknown type call.exploded');
    expect(
      (await call(h, manage, 'POST', '/relay/webhooks', { name: '', url: 'ftp://x' })).body.error.message,
    ).toMatch(/name: is required; url: must be an http\(s\) URL/);

    const r = await call(h, manage, 'POST', '/relay/webhooks', {
      name: 'CRM screen-pop',
      url: rx.url,
      allowedCidrs: ['127.0.0.0/8'],
      headers: { Authorization: 'Bearer crm-token' },
      eventTypes: ['call.*', 'relay.test'],
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/relay/webhooks/${r.body.subscription.id}`);
    expect(r.body.secret).toMatch(/^whsec_/);
    expect(r.body.publicKey).toBeNull();
    expect(r.body.subscription).toMatchObject({
      signing: 'hmac',
      eventTypes: ['call.*', 'relay.test'],
      createdBy: { kind: 'apiKey', id: manageId },
      ordering: 'per-call',
      allowedCidrs: ['127.0.0.0/8'],
      headerNames: ['authorization'],
    });
    expect(JSON.stringify(r.body)).not.toContain('crm-token');
    subId = r.body.subscription.id;
    secret = r.body.secret;
    const read = await call(h, manage, 'GET', `/relay/webhooks/${subId}`);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain('whsec_');
    const audit = await h.pool.query(
      `SELECT action, actor_api_key_id::text AS key, details FROM audit_log WHERE target_id = $1`,
      [subId],
    );
    expect(audit.rows).toEqual([
      expect.objectContaining({
        action: 'webhook.create',
        key: manageId,
        details: expect.objectContaining({ via: 'api' }),
      }),
    ]);
  });

  it('another key cannot see, change, test or delete it; webhooks:admin sees every subscription', async () => {
    expect((await call(h, other, 'GET', '/relay/webhooks')).body).toMatchObject({ items: [], total: 0 });
    for (const [method, path, body] of [
      ['GET', `/relay/webhooks/${subId}`],
      ['PATCH', `/relay/webhooks/${subId}`, { name: 'stolen' }],
      ['POST', `/relay/webhooks/${subId}/test`],
      ['POST', `/relay/webhooks/${subId}/rotate-secret`, {}],
      ['GET', `/relay/webhooks/${subId}/deliveries`],
      ['DELETE', `/relay/webhooks/${subId}`],
    ] as const)
      expect((await call(h, other, method, path, body)).status, `${method} ${path}`).toBe(404);
    const all = await call(h, admin, 'GET', '/relay/webhooks');
    expect(all.body.items.map((s: { id: string }) => s.id)).toContain(subId);
    expect((await call(h, manage, 'GET', '/relay/webhooks')).body.total).toBe(1);
  });

  it('test sends relay.test through the outbox; test?type= sends a signed catalogue example the reference library verifies', async () => {
    const queued = await call(h, manage, 'POST', `/relay/webhooks/${subId}/test`);
    expect(queued.body).toMatchObject({
      type: 'relay.test',
      deliveryId: expect.stringMatching(/^\d+$/),
      result: null,
    });
    const wh = new Webhook(secret);
    const first = await waitFor(
      () => rx.received,
      (r) => r.length === 1,
    );
    expect(
      (wh.verify(first[0]!.body, first[0]!.headers as Record<string, string>) as { type: string }).type,
    ).toBe('relay.test');
    expect(first[0]!.headers.authorization).toBe('Bearer crm-token'); // the encrypted extra header
    for (const type of ['call.ringing', 'call.completed'] as const) {
      const r = await call(h, manage, 'POST', `/relay/webhooks/${subId}/test?type=${type}`);
      expect(r.body).toMatchObject({ type, deliveryId: null, result: { statusCode: 200, ok: true } });
      const req = rx.received.at(-1)!;
      expect(req.headers['webhook-id']).toBe(r.body.webhookId);
      const payload = wh.verify(req.body, req.headers as Record<string, string>) as {
        type: string;
        data: unknown;
      };
      expect(payload.data).toEqual(EVENT_EXAMPLES[type].data);
      const validate = ajv.getSchema(`${eventJsonSchema(type).$id as string}#/$defs/webhookBody`)!;
      expect(validate(payload), JSON.stringify(validate.errors)).toBe(true);
    }
    expect((await call(h, manage, 'POST', `/relay/webhooks/${subId}/test?type=call.nope`)).status).toBe(400);
    const stored = await h.pool.query(`SELECT count(*)::int AS n FROM events WHERE type <> 'relay.test'`);
    expect(stored.rows[0].n).toBe(0); // examples never enter the event log
  });

  it('lists deliveries with attempts, retries one, retries failed ones and recovers since T', async () => {
    rx.respond = () => ({ status: 500, body: 'down' });
    const [ev] = await h.worker.events.append([makeEvent('call.ringing')]);
    const failed = await waitFor(
      async () => (await call(h, manage, 'GET', `/relay/webhooks/${subId}/deliveries?status=failed`)).body,
      (b) => b.total === 1,
      15_000,
    );
    expect(failed.items[0]).toMatchObject({ eventId: ev!.id, eventType: 'call.ringing', attemptCount: 3 });
    expect(failed.items[0].attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([
      500, 500, 500,
    ]);

    rx.respond = () => ({ status: 200, body: 'ok' });
    expect((await call(h, manage, 'POST', `/relay/webhooks/${subId}/retry-failed`)).body).toEqual({
      queued: 1,
    });
    await waitFor(
      async () => (await call(h, manage, 'GET', `/relay/webhooks/${subId}/deliveries?status=succeeded`)).body,
      (b) => b.items.some((d: { eventId: string }) => d.eventId === ev!.id),
    );
    const deliveryId = failed.items[0].id as string;
    const before = rx.received.length;
    expect(
      (await call(h, manage, 'POST', `/relay/webhooks/${subId}/deliveries/${deliveryId}/retry`)).body,
    ).toEqual({
      queued: 1,
    });
    await waitFor(
      () => rx.received.length,
      (n) => n > before,
    );
    expect(
      (await call(h, other, 'POST', `/relay/webhooks/${subId}/deliveries/${deliveryId}/retry`)).status,
    ).toBe(404);

    // Health: the three 500s and the successes, from the hourly statistics (written once a
    // second: wait for all three 500s, not only for the first 200, which an earlier test's
    // delivery may have written already).
    const health = await waitFor(
      async () => (await call(h, manage, 'GET', `/relay/webhooks/${subId}/health`)).body,
      (b) => {
        const outcomes: { outcome: string; attempts: number }[] = b.windows?.['24h'].outcomes ?? [];
        return (
          outcomes.some((o) => o.outcome === '200') &&
          outcomes.some((o) => o.outcome === '500' && o.attempts >= 3)
        );
      },
    );
    const day = health.windows['24h'];
    expect(day.outcomes).toContainEqual({ outcome: '500', attempts: 3 });
    expect(day.successRate).toBeGreaterThan(0);
    expect(day.successRate).toBeLessThan(1);
    expect(day.p50Ms).toEqual(expect.any(Number));
    expect(health.windows['7d'].attempts).toBe(day.attempts);
    expect(health.hourly).toHaveLength(24);
    expect(health.daily).toHaveLength(7);
    expect(health.hourly.at(-1).failed).toBeGreaterThanOrEqual(3);
    expect((await call(h, other, 'GET', `/relay/webhooks/${subId}/health`)).status).toBe(404);

    // Disabled while an event happens: nothing queued; recover since T sends it.
    const since = new Date(Date.now() - 1000).toISOString();
    expect(
      (await call(h, manage, 'PATCH', `/relay/webhooks/${subId}`, { enabled: false })).body,
    ).toMatchObject({
      enabled: false,
      disabledReason: expect.stringMatching(/^disabled by API key rk_/),
    });
    const [missed] = await h.worker.events.append([makeEvent('call.ended')]);
    await call(h, manage, 'PATCH', `/relay/webhooks/${subId}`, { enabled: true });
    expect(
      (await call(h, manage, 'POST', `/relay/webhooks/${subId}/recover`, { since })).body.queued,
    ).toBeGreaterThanOrEqual(1);
    await waitFor(
      () => rx.received,
      (r) => r.some((x) => x.headers['webhook-id'] === missed!.id),
    );
    expect(
      (await call(h, manage, 'POST', `/relay/webhooks/${subId}/recover`, { since: '2999-01-01T00:00:00Z' }))
        .status,
    ).toBe(400);
  });

  it('PATCH keeps the rules and changes endpoint options (headers replaced and removed, never shown); rotate shows the new secret once and both sign during the grace period', async () => {
    const p = await call(h, manage, 'PATCH', `/relay/webhooks/${subId}`, { allowedCidrs: [] });
    expect(p.status).toBe(400);
    expect(p.body.error.message).toMatch(/^url: 127\.0\.0\.1 is a loopback address/);
    const bad = await call(h, manage, 'PATCH', `/relay/webhooks/${subId}`, {
      headers: { 'Relay-Sequence': '1' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      'headers.#1: relay-sequence is set by the relay and cannot be overridden',
    );
    const ok = await call(h, manage, 'PATCH', `/relay/webhooks/${subId}`, {
      name: 'CRM',
      extensions: ['101'],
      ordering: 'none',
      timeoutMs: 4000,
      maxConcurrency: 2,
      rateLimitPerSecond: 50,
      headers: { Authorization: null, 'X-Crm-Tenant': 'acme' },
      departments: [' Hotline CH ', '__DEFAULT__'],
    });
    // Department names keep inner spaces (3CX group names), trimmed at the ends.
    expect(ok.body).toMatchObject({
      name: 'CRM',
      extensions: ['101'],
      departments: ['Hotline CH', '__DEFAULT__'],
      ordering: 'none',
      timeoutMs: 4000,
      maxConcurrency: 2,
      rateLimitPerSecond: 50,
      headerNames: ['x-crm-tenant'],
    });
    expect(JSON.stringify(ok.body)).not.toContain('acme');
    const hostile = await call(h, manage, 'PATCH', `/relay/webhooks/${subId}`, {
      allowedCidrs: ['169.254.169.254/32'],
    });
    expect(hostile.status).toBe(400);
    expect((await call(h, manage, 'GET', `/relay/webhooks/${subId}`)).body.allowedCidrs).toEqual([
      '127.0.0.0/8',
    ]);
    const r = await call(h, manage, 'POST', `/relay/webhooks/${subId}/rotate-secret`, { graceHours: 1 });
    expect(r.body.secret).toMatch(/^whsec_/);
    expect(r.body.secret).not.toBe(secret);
    const test = await call(h, manage, 'POST', `/relay/webhooks/${subId}/test?type=call.ended`);
    const req = rx.received.find((x) => x.headers['webhook-id'] === test.body.webhookId)!;
    for (const s of [secret, r.body.secret])
      expect(() => new Webhook(s).verify(req.body, req.headers as never)).not.toThrow();
    expect(req.headers['x-crm-tenant']).toBe('acme');
    expect(req.headers.authorization).toBeUndefined();
    const view = (await call(h, manage, 'GET', `/relay/webhooks/${subId}`)).body;
    expect(view.keys).toHaveLength(2);
  });

  it('DELETE removes it (204, then 404); the requests count against the key rate limit (429)', async () => {
    expect((await call(h, manage, 'DELETE', `/relay/webhooks/${subId}`)).status).toBe(204);
    expect((await call(h, manage, 'GET', `/relay/webhooks/${subId}`)).status).toBe(404);
    const limited = (await createApiKey(h.pool, ['webhooks:manage'], { rateLimitPerMinute: 2 })).key;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(h, limited, 'GET', '/relay/webhooks')).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
