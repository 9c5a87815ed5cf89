import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { loadConfig } from '../src/config.js';
import { startWorker, type Worker } from '../src/main.js';
import { recordPoolFor } from '../src/delivery/delivery-service.js';
import { createApiKey } from './support/api-keys.js';

describe('GET /relay/health', () => {
  let t: TestDatabase;
  let worker: Worker;
  beforeAll(async () => {
    t = await createTestDatabase('health');
    const config = loadConfig({
      DATABASE_URL: t.url,
      RELAY_PORT: '0',
      SOURCE_DB_ENABLED: 'false',
      SOURCE_XAPI_ENABLED: 'false',
      SOURCE_CALLCONTROL_ENABLED: 'false',
    });
    worker = await startWorker(config, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.drop();
  });

  it("runs its own database's sessions without JIT, attempt records also without synchronous commit", async () => {
    expect((await worker.pool.query<{ jit: string }>('SHOW jit')).rows[0]!.jit).toBe('off');
    const records = recordPoolFor(worker.pool, pino({ level: 'silent' }));
    try {
      const r = await records.query<{ jit: string; sc: string }>(
        "SELECT current_setting('jit') AS jit, current_setting('synchronous_commit') AS sc",
      );
      expect(r.rows[0]).toEqual({ jit: 'off', sc: 'off' });
    } finally {
      await records.end();
    }
  });

  it('reports its own database as up, with latency and version', async () => {
    await expect
      .poll(async () => (await fetch(`${worker.url}/relay/health`)).status, { timeout: 20_000 })
      .toBe(200);
    const body = (await (await fetch(`${worker.url}/relay/health`)).json()) as Record<string, any>;
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.components.database.status).toBe('up');
    expect(typeof body.components.database.latencyMs).toBe('number');
  });

  it('tells a caller through the proxy without a key only up or down; a key or a direct loopback call gets details', async () => {
    const proxied = { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9' };
    const anon = await fetch(`${worker.url}/relay/health`, { headers: proxied });
    expect(anon.status).toBe(200);
    expect(await anon.json()).toEqual({ status: 'up' });
    const badKey = await fetch(`${worker.url}/relay/health`, {
      headers: { ...proxied, authorization: 'Bearer rk_000000000000.not-a-real-secret-at-all' },
    });
    expect(await badKey.json()).toEqual({ status: 'up' });
    const k = await createApiKey(worker.pool, ['calls:read']);
    const keyed = (await (
      await fetch(`${worker.url}/relay/health`, { headers: { ...proxied, authorization: `Bearer ${k.key}` } })
    ).json()) as Record<string, unknown>;
    expect(keyed).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      instanceId: expect.any(String),
    });
  });

  it('records the status in component_status for the admin', async () => {
    const row = await t.db().componentStatus.findUnique({ where: { component: 'database' } });
    expect(row?.status).toBe('up');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${worker.url}/relay/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /relay/nope' } });
  });
});
