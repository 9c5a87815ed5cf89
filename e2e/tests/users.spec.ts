import { expect, test } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { sql } from '../support/db.js';

test.use({ storageState: STORAGE.admin });

test('the last admin cannot be demoted, disabled or deleted', async ({ request }) => {
  const admins = await sql<{ id: string }>(
    `SELECT id::text FROM admin_users WHERE role = 'admin' AND disabled_at IS NULL`,
  );
  expect(admins).toHaveLength(1);
  const id = admins[0]!.id;
  for (const [method, data] of [
    ['PATCH', { role: 'viewer' }],
    ['PATCH', { disabled: true }],
    ['DELETE', undefined],
  ] as const) {
    const res = await request.fetch(`/admin/api/users/${id}`, { method, data });
    expect(res.status()).toBe(409);
    expect((await res.json()).error.code).toBe('LAST_ADMIN');
  }
  const [still] = await sql<{ role: string; disabled_at: Date | null }>(
    `SELECT role, disabled_at FROM admin_users WHERE id = $1`,
    [id],
  );
  expect(still).toEqual({ role: 'admin', disabled_at: null });
});

test('create a user, change role, reset the password, disable and delete', async ({
  page,
  playwright,
  baseURL,
}) => {
  // this test's audit entries are those from now on (a run less than a minute earlier left others)
  const since = (await sql<{ since: string }>(`SELECT now()::text AS since`))[0]!.since;
  await page.goto('/admin/users');
  await page.getByLabel('Email', { exact: true }).fill('carol@relay.test');
  await page.getByLabel('Name', { exact: true }).fill('Carol');
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByLabel('Password', { exact: true }).fill('carol-password-123');
  await page.getByRole('button', { name: 'Create user' }).click();
  const row = page.getByTestId('user-carol@relay.test');
  await expect(row.getByTestId('role-badge')).toHaveText('viewer');

  await row.getByLabel('Role of carol@relay.test').selectOption('admin');
  await expect(row.getByTestId('role-badge')).toHaveText('admin');

  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: 'Reset password' }).click();
  const pw = (await row.getByTestId('revealed-secret').textContent())!.trim();
  expect(pw.length).toBeGreaterThanOrEqual(20);
  const ctx = await playwright.request.newContext({ baseURL });
  expect(
    (
      await ctx.post('/admin/api/login', {
        data: { email: 'carol@relay.test', password: 'carol-password-123' },
      })
    ).status(),
  ).toBe(401);
  expect(
    (await ctx.post('/admin/api/login', { data: { email: 'carol@relay.test', password: pw } })).status(),
  ).toBe(200);
  expect((await ctx.get('/admin/api/stats')).status()).toBe(200);
  await row.getByRole('button', { name: 'Done' }).click();

  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row.getByText('disabled', { exact: true })).toBeVisible();
  // her session ends at once
  expect((await ctx.get('/admin/api/stats')).status()).toBe(401);
  await ctx.dispose();

  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('user-carol@relay.test')).toHaveCount(0);
  const audit = await sql<{ action: string }>(
    `SELECT action FROM audit_log WHERE action LIKE 'user.%' AND at >= $1::timestamptz ORDER BY id`,
    [since],
  );
  expect(audit.map((a) => a.action)).toEqual([
    'user.create',
    'user.update',
    'user.reset_password',
    'user.update',
    'user.delete',
  ]);
  await sql(`DELETE FROM rate_limits`);
});

test('the audit log lists sensitive operations with actor and IP', async ({ page }) => {
  await page.goto('/admin/audit?action=login');
  const rows = page.getByTestId('audit-rows');
  await expect(rows.getByText('login.succeeded').first()).toBeVisible();
  await expect(rows.getByText('admin@relay.test').first()).toBeVisible();
  // Without the trusted proxy (nginx) in front, the panel names the client `local`, never a
  // client-sent address.
  await expect(rows.getByText('local', { exact: true }).first()).toBeVisible();
});
