import bcrypt from 'bcrypt';
import { expect, test } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { listen, sql } from '../support/db.js';

test.use({ storageState: STORAGE.admin });

test('generate shows the key once, stores only a bcrypt hash; revoke asks, revokes and NOTIFYs reload-keys', async ({
  page,
}) => {
  await page.goto('/admin/api-keys');
  await page.getByLabel('Key name').fill('CRM integration');
  await page.getByLabel('history:read').check();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const shown = (await page.getByTestId('revealed-secret').textContent())!.trim();
  expect(shown).toMatch(/^rk_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
  const [prefix, secret] = shown.split('.') as [string, string];
  await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible();

  const [row] = await sql<{ id: string; secret_hash: string; scopes: string[]; name: string }>(
    `SELECT id::text, secret_hash, scopes, name FROM api_keys WHERE prefix = $1`,
    [prefix],
  );
  expect(row!.name).toBe('CRM integration');
  expect(row!.scopes).toEqual(['calls:read', 'history:read']);
  expect(row!.secret_hash).not.toContain(secret);
  expect(await bcrypt.compare(secret, row!.secret_hash)).toBe(true);
  expect(row!.secret_hash.startsWith('$2b$12$')).toBe(true);

  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('revealed-secret')).toHaveCount(0);
  // the secret is nowhere in the page after its one reveal
  await page.reload();
  expect(await page.content()).not.toContain(secret);

  const control = await listen('relay_control');
  try {
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId(`revoke-${prefix}`).click();
    await expect(page.getByTestId(`api-key-${prefix}`).getByText('revoked')).toBeVisible();
    const msg = (await control.next()) as { id: string; command: string; args: { revokedKeyId: string } };
    expect(msg.command).toBe('reload-keys');
    expect(msg.args.revokedKeyId).toBe(row!.id);
    const [cmd] = await sql<{ command: string }>(`SELECT command FROM control_commands WHERE id = $1`, [
      msg.id,
    ]);
    expect(cmd!.command).toBe('reload-keys');
  } finally {
    await control.close();
  }
  const [revoked] = await sql<{ revoked_at: Date | null }>(`SELECT revoked_at FROM api_keys WHERE id = $1`, [
    row!.id,
  ]);
  expect(revoked!.revoked_at).not.toBeNull();
  const audit = await sql<{ action: string }>(
    `SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`,
    [row!.id],
  );
  expect(audit.map((a) => a.action)).toEqual(['api_key.create', 'api_key.revoke']);
});

test('dismissing the confirm leaves the key active', async ({ page, request }) => {
  const res = await request.post('/admin/api/api-keys', {
    data: { name: 'keep me', scopes: ['calls:read'] },
  });
  const { key } = (await res.json()) as { key: { prefix: string } };
  await page.goto('/admin/api-keys');
  page.once('dialog', (d) => void d.dismiss());
  await page.getByTestId(`revoke-${key.prefix}`).click();
  await expect(page.getByTestId(`api-key-${key.prefix}`).getByText('active')).toBeVisible();
  const [row] = await sql<{ revoked_at: Date | null }>(`SELECT revoked_at FROM api_keys WHERE prefix = $1`, [
    key.prefix,
  ]);
  expect(row!.revoked_at).toBeNull();
});

test('search and server-side pagination of keys', async ({ page, request }) => {
  for (let i = 0; i < 3; i++)
    await request.post('/admin/api/api-keys', { data: { name: `paged-${i}`, scopes: ['calls:read'] } });
  await page.goto('/admin/api-keys?q=paged-1');
  await expect(page.getByRole('link', { name: 'paged-1' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'paged-0' })).toHaveCount(0);
  const list = await request.get('/admin/api/api-keys?q=paged&page=1');
  const body = (await list.json()) as { total: number; rows: { secretHash?: string }[] };
  expect(body.total).toBe(3);
  expect(body.rows.every((r) => r.secretHash === undefined)).toBe(true);
});

test('usage page charts a key’s requests', async ({ page, request }) => {
  const res = await request.post('/admin/api/api-keys', {
    data: { name: 'usage key', scopes: ['calls:read'] },
  });
  const { key } = (await res.json()) as { key: { id: string } };
  await sql(
    `INSERT INTO api_usage (api_key_id, bucket, route, status_class, count, total_latency_ms) VALUES ($1, date_trunc('minute', now()), '/relay/active-calls', '2xx', 42, 420)`,
    [key.id],
  );
  await page.goto(`/admin/api-keys/${key.id}`);
  await expect(page.getByRole('heading', { name: 'API key: usage key' })).toBeVisible();
  await expect(page.getByRole('cell', { name: '/relay/active-calls' })).toBeVisible();
  await expect(page.getByRole('cell', { name: '42' })).toBeVisible();
  await page.screenshot({ path: 'artifacts/api-key-usage-desktop-light.png', fullPage: true });
  const usage = await (await request.get(`/admin/api/api-keys/${key.id}/usage`)).json();
  expect(usage.byRoute[0]).toMatchObject({ route: '/relay/active-calls', count: 42, avgLatencyMs: 10 });
});

test('key generation is rate-limited per admin', async ({ request }) => {
  await sql(`DELETE FROM rate_limits`);
  let status = 0;
  for (let i = 0; i < 25 && status !== 429; i++) {
    status = (
      await request.post('/admin/api/api-keys', { data: { name: `burst-${i}`, scopes: ['calls:read'] } })
    ).status();
  }
  expect(status).toBe(429);
  await sql(`DELETE FROM rate_limits`);
});
