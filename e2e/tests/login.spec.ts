import { expect, test } from '@playwright/test';
import { sql } from '../support/db.js';
import { USERS } from '../support/users.js';
import { viaProxy } from '../support/proxy.js';

test.describe('login', () => {
  test('login page renders the sign-in form (screenshot)', async ({ page }) => {
    await page.goto('/admin/login');
    await expect(page.getByRole('heading', { name: 'Sign in to the admin panel' })).toBeVisible();
    await expect(page.getByLabel('Email')).toBeVisible();
    await expect(page.getByLabel('Password')).toBeVisible();
    await page.screenshot({ path: 'artifacts/login-page.png', fullPage: true });
  });

  test('an unauthenticated visitor is sent to the login page', async ({ page }) => {
    await page.goto('/admin/api-keys');
    await expect(page).toHaveURL(/\/admin\/login$/);
  });

  test('signs in, is audit-logged, and signs out', async ({ page }) => {
    await page.goto('/admin/login');
    await page.getByLabel('Email').fill(USERS.admin.email);
    await page.getByLabel('Password').fill(USERS.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'relay-admin.session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    const [row] = await sql<{ n: string }>(
      `SELECT count(*)::text n FROM audit_log WHERE action = 'login.succeeded' AND actor_email = $1`,
      [USERS.admin.email],
    );
    expect(Number(row!.n)).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/admin\/login$/);
    await page.goto('/admin');
    await expect(page).toHaveURL(/\/admin\/login$/);
  });

  test('a wrong password gets a generic error, the same as an unknown account', async ({ page }) => {
    await page.goto('/admin/login');
    await page.getByLabel('Email').fill(USERS.viewer.email);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('login-error')).toHaveText('Invalid email or password');
    await page.getByLabel('Email').fill('nobody@relay.test');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('login-error')).toHaveText('Invalid email or password');
    await sql(`DELETE FROM rate_limits`);
  });

  test('after 5 failures the account is blocked for that client only, even for the right password; the block is persisted', async ({
    request,
  }) => {
    // Acting as nginx (the trusted proxy) for two client addresses.
    const attacker = viaProxy('10.99.0.5');
    for (let i = 0; i < 5; i++) {
      const r = await request.post('/admin/api/login', {
        data: { email: USERS.victim.email, password: `nope-${i}` },
        headers: attacker,
      });
      expect(r.status()).toBe(401);
      expect((await r.json()).error.code).toBe('INVALID_CREDENTIALS');
    }
    const blocked = await request.post('/admin/api/login', {
      data: { email: USERS.victim.email, password: USERS.victim.password },
      headers: attacker,
    });
    expect(blocked.status()).toBe(429);
    expect(Number(blocked.headers()['retry-after'])).toBeGreaterThan(0);
    const rows = await sql<{ key: string; failures: number; blocked_until: Date | null }>(
      `SELECT key, failures, blocked_until FROM rate_limits ORDER BY key`,
    );
    expect(rows.map((r) => [r.key, r.failures, !!r.blocked_until && r.blocked_until > new Date()])).toEqual([
      [`login:account-client:${USERS.victim.email}|10.99.0.5`, 5, true],
      ['login:client:10.99.0.5', 5, false],
    ]);
    // The owner, from another client, is not locked out.
    const owner = await request.post('/admin/api/login', {
      data: { email: USERS.victim.email, password: USERS.victim.password },
      headers: viaProxy('10.99.0.6'),
    });
    expect(owner.status()).toBe(200);
    await sql(`DELETE FROM rate_limits`);
    const after = await request.post('/admin/api/login', {
      data: { email: USERS.victim.email, password: USERS.victim.password },
      headers: attacker,
    });
    expect(after.status()).toBe(200);
  });

  test('a disabled user is refused and their existing session stops working', async ({
    playwright,
    baseURL,
  }) => {
    const ctx = await playwright.request.newContext({ baseURL });
    const ok = await ctx.post('/admin/api/login', {
      data: { email: USERS.victim.email, password: USERS.victim.password },
    });
    expect(ok.status()).toBe(200);
    expect((await ctx.get('/admin/api/stats')).status()).toBe(200);
    await sql(`UPDATE admin_users SET disabled_at = now(), sessions_valid_from = now() WHERE email = $1`, [
      USERS.victim.email,
    ]);
    expect((await ctx.get('/admin/api/stats')).status()).toBe(401);
    const again = await ctx.post('/admin/api/login', {
      data: { email: USERS.victim.email, password: USERS.victim.password },
    });
    expect(again.status()).toBe(401);
    await sql(`UPDATE admin_users SET disabled_at = NULL WHERE email = $1`, [USERS.victim.email]);
    await sql(`DELETE FROM rate_limits`);
    await ctx.dispose();
  });
});
