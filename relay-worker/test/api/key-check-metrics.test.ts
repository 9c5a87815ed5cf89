import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey } from '../support/api-keys.js';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness.js';

let h: WorkerHarness;
beforeAll(async () => {
  h = await startWorkerHarness('keymetrics');
});
afterAll(async () => h?.stop());

const get = (path: string, key?: string) =>
  fetch(`${h.worker.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

/** `relay_api_key_checks_total{outcome=…}` from the worker's Prometheus text. */
async function keyChecks(): Promise<Record<string, number>> {
  const text = await (await get('/relay/metrics')).text();
  const out: Record<string, number> = { cached: 0, verified: 0, rejected: 0, throttled: 0 };
  for (const m of text.matchAll(/^relay_api_key_checks_total\{outcome="(\w+)"\} (\d+)$/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}

it('counts API key checks by outcome in relay_api_key_checks_total: verified once, then cached; wrong keys rejected', async () => {
  const before = await keyChecks();
  const k = await createApiKey(h.pool, ['calls:read']);
  for (let i = 0; i < 3; i++) expect((await get('/relay/active-calls', k.key)).status).not.toBe(401);
  expect((await get('/relay/active-calls', `${k.prefix}.wrongwrongwrongwrongwrong`)).status).toBe(401);
  expect((await get('/relay/active-calls', 'not-a-key')).status).toBe(401);
  const after = await keyChecks();
  expect({
    verified: after.verified! - before.verified!,
    cached: after.cached! - before.cached!,
    rejected: after.rejected! - before.rejected!,
  }).toEqual({ verified: 1, cached: 2, rejected: 2 });
});

it('random secrets for a known key prefix cost 3 bcrypts, not one each; the real key still gets in', async () => {
  const k = await createApiKey(h.pool, ['calls:read']);
  expect((await get('/relay/active-calls', k.key)).status).not.toBe(401);
  const before = await keyChecks();
  const statuses = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      get('/relay/active-calls', `${k.prefix}.random-secret-${i}-${'x'.repeat(20)}`).then((r) => r.status),
    ),
  );
  expect(statuses.every((s) => s === 401)).toBe(true);
  const after = await keyChecks();
  // Each `rejected` here is one bcrypt of a wrong secret; `throttled` ones ran none.
  expect(after.rejected! - before.rejected!).toBe(3);
  expect(after.throttled! - before.throttled!).toBe(37);
  expect((await get('/relay/active-calls', k.key)).status).not.toBe(401);
});

it('one client guessing secrets for a prefix does not lock out the real key used first from another client', async () => {
  const k = await createApiKey(h.pool, ['calls:read']);
  const from = (ip: string, key: string) =>
    fetch(`${h.worker.url}/relay/active-calls`, {
      headers: { authorization: `Bearer ${key}`, 'x-real-ip': ip, 'x-forwarded-for': ip },
    });
  const wrong = await Promise.all(
    Array.from({ length: 20 }, (_, i) => from('203.0.113.50', `${k.prefix}.guess-${i}-${'y'.repeat(20)}`)),
  );
  expect(wrong.every((r) => r.status === 401)).toBe(true);
  expect((await from('203.0.113.50', k.key)).status).toBe(401);
  expect((await from('192.0.2.8', k.key)).status).not.toBe(401);
});
