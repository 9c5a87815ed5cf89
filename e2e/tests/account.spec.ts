import { expect, test } from '@playwright/test';
import { hashPassword } from '@3cx-relay/db';
import { sql } from '../support/db.js';

// A user of its own: changing the password ends that user's other sessions.
const EMAIL = 'self-service@relay.test';
const OLD = 'self-service-password-1';
const NEW = 'self-service-password-2';

test.use({ storageState: { cookies: [], origins: [] } });

test('a user changes their own password on /admin/account: other sessions end, this one stays', async ({
  page,
  playwright,
  baseURL,
}) => {
  await sql(`DELETE FROM admin_users WHERE email = $1`, [EMAIL]);
  await sql(
    `INSERT INTO admin_users (email, name, role, password_hash) VALUES ($1, 'Self Service', 'viewer', $2)`,
    [EMAIL, await hashPassword(OLD)],
  );
  const other = await playwright.request.newContext({ baseURL });
  expect((await other.post('/admin/api/login', { data: { email: EMAIL, password: OLD } })).status()).toBe(
    200,
  );

  await page.goto('/admin/login');
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(OLD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('current-user').click();
  await expect(page).toHaveURL(/\/admin\/account$/);
  await page.getByLabel('Current password').fill(OLD);
  await page.getByLabel('New password', { exact: true }).fill(NEW);
  await page.getByLabel('New password again').fill(NEW);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed')).toBeVisible();
  await page.screenshot({ path: 'artifacts/account-password-changed.png', fullPage: true });

  // This browser stays signed in; the other session is over; only the new password works.
  await page.goto('/admin');
  await expect(page.getByTestId('current-user')).toHaveText(EMAIL);
  expect((await other.get('/admin/api/stats')).status()).toBe(401);
  expect((await other.post('/admin/api/login', { data: { email: EMAIL, password: OLD } })).status()).toBe(
    401,
  );
  expect((await other.post('/admin/api/login', { data: { email: EMAIL, password: NEW } })).status()).toBe(
    200,
  );
  await other.dispose();
  await sql(`DELETE FROM rate_limits`);
});
