import { expect, test } from '@playwright/test';
import { USERS } from '../support/users.js';

test.describe('login page', () => {
  test('renders the sign-in form and is screenshotted', async ({ page }) => {
    await page.goto('/admin/login');
    await expect(page.getByRole('heading', { name: 'Sign in to the admin panel' })).toBeVisible();
    await expect(page.getByLabel('Email')).toBeVisible();
    await expect(page.getByLabel('Password')).toBeVisible();
    await page.screenshot({ path: 'artifacts/login-desktop-light.png', fullPage: true });
  });

  test('signs in with valid credentials and reaches the dashboard', async ({ page }) => {
    await page.goto('/admin/login');
    await page.getByLabel('Email').fill(USERS.admin.email);
    await page.getByLabel('Password').fill(USERS.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/admin\/?$/);
  });
});
