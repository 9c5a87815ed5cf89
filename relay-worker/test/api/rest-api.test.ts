import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiKey, revokeApiKey } from '../support/api-keys.js';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness.js';
import { waitFor } from '../delivery/harness.js';

describe('REST API authentication, scopes, limits and usage', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness('api');
  });
  afterAll(async () => h?.stop());

  const get = (path: string, key?: string, headers: Record<string, string> = {}) =>
    fetch(`${h.worker.url}${path}`, {
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    });

  it('GET /relay/active-calls - 401 without a key, 401 with a wrong one, 403 without calls:read, 503 with it when no PBX source is configured', async () => {
    const good = await createApiKey(h.pool, ['calls:read']);
    const other = await createApiKey(h.pool, ['history:read']);
    const none = await get('/relay/active-calls');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await get('/relay/active-calls', `${good.prefix}.wrongwrongwrongwrongwrong`)).status).toBe(401);
    expect((await get('/relay/active-calls', other.key)).status).toBe(403);
    // This worker has neither Call Control nor XAPI: an honest 503, not an empty list.
    const ok = await get('/relay/active-calls', good.key);
    expect(ok.status).toBe(503);
    expect(((await ok.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/Call Control is disabled and XAPI is not available/),
    });
    expect((await get('/relay/active-calls', good.key, { 'x-api-key': 'ignored' })).status).toBe(503);
  });

  it('GET /relay/call-history - 403 without history:read; 503 when XAPI is not configured', async () => {
    const calls = await createApiKey(h.pool, ['calls:read']);
    const hist = await createApiKey(h.pool, ['history:read']);
    expect((await get('/relay/call-history', calls.key)).status).toBe(403);
    const res = await get('/relay/call-history', hist.key);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    expect((await get('/relay/call-history?limit=5000', hist.key)).status).toBe(400);
  });

  it('answers 429 with Retry-After past the key’s rate limit', async () => {
    const k = await createApiKey(h.pool, ['calls:read'], { rateLimitPerMinute: 3 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/relay/active-calls', k.key)).status);
    expect(statuses).toEqual([503, 503, 503, 429]); // 503: no PBX source here; the limit applies all the same
    const limited = await get('/relay/active-calls', k.key);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('revocation takes effect within 1 s, for REST and open WebSockets', async () => {
    const k = await createApiKey(h.pool, ['calls:read', 'events:subscribe']);
    expect((await get('/relay/active-calls', k.key)).status).toBe(503); // key accepted, now cached
    const ws = new WebSocket(h.worker.url.replace('http', 'ws') + '/relay/ws', {
      headers: { authorization: `Bearer ${k.key}` },
    });
    let closeCode = 0;
    ws.on('close', (c) => (closeCode = c));
    await new Promise((r) => ws.once('open', r));
    await revokeApiKey(h.pool, k.id);
    await waitFor(
      async () => (await get('/relay/active-calls', k.key)).status,
      (s) => s === 401,
      20_000,
    );
    // The cache (60 s) and its safety net (API_KEY_REVALIDATE_MS, 10 min here) both outlast the
    // deadline: only the admin's NOTIFY can have done it. Its latency is a figure, not a test.
    await waitFor(
      () => closeCode,
      (c) => c !== 0,
      20_000,
    );
    expect(closeCode).toBe(4001);
  });

  it('counts usage in batches into api_usage and last_used_at', async () => {
    const k = await createApiKey(h.pool, ['calls:read']);
    for (let i = 0; i < 5; i++) await get('/relay/active-calls', k.key);
    await get('/relay/call-history', k.key); // 403, counted too
    const rows = await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT route, status_class, count FROM api_usage WHERE api_key_id = $1 ORDER BY route`,
            [k.id],
          )
        ).rows,
      (r) => r.reduce((a, x) => a + x.count, 0) === 6,
    );
    expect(rows).toEqual([
      { route: '/relay/active-calls', status_class: '5xx', count: 5 },
      { route: '/relay/call-history', status_class: '4xx', count: 1 },
    ]);
    const used = await h.pool.query('SELECT last_used_at FROM api_keys WHERE id = $1', [k.id]);
    expect(used.rows[0].last_used_at).toBeInstanceOf(Date);
  });

  it('rejects an expired key', async () => {
    const k = await createApiKey(h.pool, ['calls:read'], { expiresAt: new Date(Date.now() - 1000) });
    expect((await get('/relay/active-calls', k.key)).status).toBe(401);
  });

  it('GET /relay/metrics - Prometheus text from loopback; a key is needed through the proxy', async () => {
    const res = await get('/relay/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('relay_delivery_attempts_total');
    expect(text).toContain('relay_ws_clients');
    expect(text).toMatch(/^relay_event_appends_waiting 0$/m);
    expect((await get('/relay/metrics', undefined, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(401);
    const k = await createApiKey(h.pool, ['calls:read']);
    expect((await get('/relay/metrics', k.key, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
  });

  it('GET /relay/openapi.json - describes every route', async () => {
    const doc = (await (await get('/relay/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/relay/active-calls',
        '/relay/call-history',
        '/relay/ws',
        '/relay/metrics',
        '/relay/health',
      ]),
    );
  });

  it('publishes live counters in the worker heartbeat', async () => {
    await waitFor(
      async () => (await h.pool.query(`SELECT stats FROM worker_heartbeats`)).rows[0]?.stats,
      (s) => s && typeof s.wsClients === 'number' && 'deliveriesOkPerMin' in s,
      20_000,
    );
  });
});
