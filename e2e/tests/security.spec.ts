import { expect, test, type APIRequestContext } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { sql } from '../support/db.js';

/** Every mutating admin route; `:sub`, `:key`, `:user`, `:err`, `:del` are filled with real ids. */
const MUTATIONS: [method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown][] = [
  ['POST', '/admin/api/connections/xapi/reconnect'],
  ['POST', '/admin/api/errors/:err/acknowledge'],
  ['POST', '/admin/api/errors/acknowledge', { ids: [':err'] }],
  ['POST', '/admin/api/api-keys', { name: 'viewer key', scopes: ['calls:read'] }],
  ['DELETE', '/admin/api/api-keys/:key'],
  ['POST', '/admin/api/webhooks', { name: 'viewer hook', url: 'https://example.com/hook' }],
  ['PATCH', '/admin/api/webhooks/:sub', { enabled: false }],
  ['DELETE', '/admin/api/webhooks/:sub'],
  ['POST', '/admin/api/webhooks/:sub/test'],
  ['POST', '/admin/api/webhooks/:sub/rotate-secret', {}],
  ['POST', '/admin/api/webhooks/:sub/retry-failed'],
  ['POST', '/admin/api/webhooks/:sub/recover', { since: '2026-01-01T00:00:00Z' }],
  ['POST', '/admin/api/deliveries/:del/retry'],
  ['POST', '/admin/api/users', { email: 'x@relay.test', role: 'admin', password: 'long-enough-password' }],
  ['PATCH', '/admin/api/users/:user', { role: 'admin' }],
  ['DELETE', '/admin/api/users/:user'],
  ['POST', '/admin/api/users/:user/reset-password', {}],
];

let ids: Record<string, string>;

test.beforeAll(async ({ playwright, baseURL }) => {
  const admin = await playwright.request.newContext({ baseURL, storageState: STORAGE.admin });
  const key = (await (
    await admin.post('/admin/api/api-keys', { data: { name: 'security target', scopes: ['calls:read'] } })
  ).json()) as { key: { id: string } };
  const sub = (await (
    await admin.post('/admin/api/webhooks', {
      data: { name: 'security target', url: 'https://example.com/h' },
    })
  ).json()) as { subscription: { id: string } };
  await admin.dispose();
  const [err] = await sql<{ id: string }>(
    `INSERT INTO error_log (severity, component, message) VALUES ('error', 'worker', 'target') RETURNING id::text`,
  );
  const [ev] = await sql<{ sequence: string }>(
    `INSERT INTO events (id, type, occurred_at, data) VALUES ($1, 'relay.test', now(), '{}') RETURNING sequence::text`,
    [`evt_sec_${Date.now()}`],
  );
  const [del] = await sql<{ id: string }>(
    `INSERT INTO deliveries (event_sequence, subscription_id, status) VALUES ($1, $2, 'failed') RETURNING id::text`,
    [ev!.sequence, sub.subscription.id],
  );
  const [user] = await sql<{ id: string }>(
    `SELECT id::text FROM admin_users WHERE email = 'viewer@relay.test'`,
  );
  ids = {
    ':key': key.key.id,
    ':sub': sub.subscription.id,
    ':err': err!.id,
    ':del': del!.id,
    ':user': user!.id,
  };
});

const fill = (s: string) => s.replace(/:(key|sub|err|del|user)/g, (m) => ids[m]!);
const fillBody = (b: unknown) => (b === undefined ? undefined : JSON.parse(fill(JSON.stringify(b))));

async function call(
  ctx: APIRequestContext,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return ctx.fetch(fill(path), { method, data: fillBody(body), headers });
}

test.describe('viewer gets 403 on every mutating route', () => {
  test.use({ storageState: STORAGE.viewer });
  for (const [method, path, body] of MUTATIONS) {
    test(`${method} ${path} - viewer gets 403`, async ({ request }) => {
      const before = await sql<{ n: string }>(`SELECT count(*)::text n FROM control_commands`);
      const res = await call(request, method, path, body);
      expect(res.status()).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'Admins only' } });
      const after = await sql<{ n: string }>(`SELECT count(*)::text n FROM control_commands`);
      expect(after[0]!.n).toBe(before[0]!.n);
    });
  }
  test('GET /admin/api/users - viewer gets 403', async ({ request }) => {
    expect((await request.get('/admin/api/users')).status()).toBe(403);
  });
});

test.describe('without a session', () => {
  test('every API route answers 401 JSON', async ({ request }) => {
    for (const path of [
      '/admin/api/stats',
      '/admin/api/errors',
      '/admin/api/api-keys',
      '/admin/api/webhooks',
      '/admin/api/audit',
      '/admin/api/connections',
    ]) {
      const res = await request.get(path);
      expect(res.status(), path).toBe(401);
      expect((await res.json()).error.code).toBe('UNAUTHENTICATED');
    }
    const res = await call(request, 'POST', '/admin/api/api-keys', { name: 'x', scopes: ['calls:read'] });
    expect(res.status()).toBe(401);
  });
});

test.describe('CSRF', () => {
  test.use({ storageState: STORAGE.admin });
  test('a cross-origin POST is refused before it does anything', async ({ request }) => {
    const res = await call(
      request,
      'POST',
      '/admin/api/api-keys',
      { name: 'csrf key', scopes: ['calls:read'] },
      { origin: 'http://evil.example' },
    );
    expect(res.status()).toBe(403);
    expect((await res.json()).error.code).toBe('CROSS_ORIGIN');
    const noOrigin = await call(request, 'DELETE', '/admin/api/api-keys/:key', undefined, {
      'sec-fetch-site': 'cross-site',
    });
    expect(noOrigin.status()).toBe(403);
    const rows = await sql(`SELECT 1 FROM api_keys WHERE name = 'csrf key'`);
    expect(rows).toHaveLength(0);
    const [key] = await sql<{ revoked_at: Date | null }>(`SELECT revoked_at FROM api_keys WHERE id = $1`, [
      ids[':key'],
    ]);
    expect(key!.revoked_at).toBeNull();
  });

  test('a cross-origin login is refused', async ({ playwright, baseURL }) => {
    const ctx = await playwright.request.newContext({ baseURL });
    const res = await ctx.post('/admin/api/login', {
      data: { email: 'admin@relay.test', password: 'admin-password-e2e-1' },
      headers: { origin: 'http://evil.example' },
    });
    expect(res.status()).toBe(403);
    await ctx.dispose();
  });
});

test('next-auth’s own sign-in refuses a POST without its CSRF token', async ({ playwright, baseURL }) => {
  const ctx = await playwright.request.newContext({ baseURL });
  const res = await ctx.post('/admin/api/auth/callback/credentials', {
    form: { email: 'admin@relay.test', password: 'admin-password-e2e-1' },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(302);
  expect(res.headers().location).toContain('csrf=true');
  expect((await ctx.storageState()).cookies.find((c) => c.name === 'relay-admin.session')).toBeUndefined();
  await ctx.dispose();
});

test('responses carry strict security headers', async ({ request }) => {
  const res = await request.get('/admin/login');
  const h = res.headers();
  expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(h['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(h['content-security-policy']).not.toContain('unsafe-eval');
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['referrer-policy']).toBe('no-referrer');
  expect(h['x-frame-options']).toBe('DENY');
  expect(h['x-powered-by']).toBeUndefined();
});
