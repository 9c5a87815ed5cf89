import { expect, test, type Page } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { sql } from '../support/db.js';
import { seedCallEvents } from '../support/call-events.js';
import { seedHistory, seedStatus } from '../support/seed.js';

/** Every page of the panel and the heading it must show. */
const PAGES = [
  { path: '/admin', name: 'dashboard', heading: 'Dashboard' },
  { path: '/admin/connections', name: 'connections', heading: 'Connections' },
  { path: '/admin/errors', name: 'errors', heading: 'Errors' },
  { path: '/admin/api-keys', name: 'api-keys', heading: 'API keys' },
  { path: '/admin/webhooks', name: 'webhooks', heading: 'Webhooks' },
  { path: '/admin/webhooks/new', name: 'webhooks-new', heading: 'New webhook subscription', adminOnly: true },
  { path: '/admin/users', name: 'users', heading: 'Users', adminOnly: true },
  { path: '/admin/audit', name: 'audit', heading: 'Audit log' },
];

test.beforeAll(async () => {
  await seedStatus({ db3cx: 'up', xapi: 'degraded', callcontrol: 'up' });
  await seedHistory();
  // the dashboard's "Recent call activity" and call tiles, as the demo's calls fill them
  await seedCallEvents();
});

async function openPage(page: Page, path: string, heading: string) {
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

test.describe('as admin', () => {
  test.use({ storageState: STORAGE.admin });
  for (const p of PAGES) {
    test(`${p.name} renders with admin controls`, async ({ page }) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await openPage(page, p.path, p.heading);
      await expect(page.getByTestId('current-user')).toHaveText('admin@relay.test');
      if (p.name === 'dashboard')
        await expect(page.getByTestId('call-activity').locator('li').first()).toBeVisible();
      if (p.name === 'connections')
        await expect(page.getByRole('button', { name: 'Reconnect' })).toHaveCount(3);
      if (p.name === 'api-keys')
        await expect(page.getByRole('button', { name: 'Generate key' })).toBeVisible();
      if (p.name === 'webhooks')
        await expect(page.getByRole('link', { name: 'New subscription' })).toBeVisible();
      // no CSP violations or hydration errors
      expect(errors).toEqual([]);
    });
  }
});

test.describe('as viewer', () => {
  test.use({ storageState: STORAGE.viewer });
  for (const p of PAGES) {
    test(`${p.name} ${p.adminOnly ? 'is refused' : 'renders read-only'}`, async ({ page }) => {
      if (p.adminOnly) {
        await page.goto(p.path);
        await expect(page.getByRole('heading', { level: 1, name: 'Admins only' })).toBeVisible();
        return;
      }
      await openPage(page, p.path, p.heading);
      await expect(page.getByTestId('current-user')).toHaveText('viewer@relay.test');
      await expect(
        page.getByRole('button', { name: /Reconnect|Generate key|Revoke|Acknowledge/ }),
      ).toHaveCount(0);
      await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
    });
  }

  test('detail pages of a key and a subscription render read-only', async ({ page }) => {
    const [key] = await sql<{ id: string }>(
      `INSERT INTO api_keys (name, prefix, secret_hash, scopes) VALUES ('viewer-visible key', 'rk_00000000beef', 'x', '{calls:read}') RETURNING id::text`,
    );
    const [sub] = await sql<{ id: string }>(
      `INSERT INTO webhook_subscriptions (name, url) VALUES ('viewer-visible hook', 'https://example.com/v') RETURNING id::text`,
    );
    await sql(`INSERT INTO webhook_secrets (subscription_id, ciphertext) VALUES ($1, 'c2VjcmV0')`, [sub!.id]);
    await openPage(page, `/admin/api-keys/${key!.id}`, 'API key: viewer-visible key');
    await openPage(page, `/admin/webhooks/${sub!.id}`, 'viewer-visible hook');
    await expect(page.getByText('https://example.com/v')).toBeVisible();
    await expect(
      page.getByRole('button', { name: /Rotate secret|Send test event|Save changes|Retry/ }),
    ).toHaveCount(0);
    expect(await page.content()).not.toContain('c2VjcmV0');
  });
});

test.describe('screenshots', () => {
  test.use({ storageState: STORAGE.admin });
  const viewports = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
  for (const [device, viewport] of Object.entries(viewports)) {
    for (const scheme of ['light', 'dark'] as const) {
      test(`every page at ${device} width, ${scheme}`, async ({ page }) => {
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme: scheme });
        for (const p of [...PAGES, { path: '/admin/login', name: 'login', heading: '' }]) {
          if (p.name === 'login') {
            await page.context().clearCookies();
            await page.goto(p.path);
            await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
          } else {
            await openPage(page, p.path, p.heading);
          }
          expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(
            scheme === 'dark',
          );
          // nothing may overflow the phone's width
          if (device === 'phone')
            expect(
              await page.evaluate(() => document.documentElement.scrollWidth),
              p.name,
            ).toBeLessThanOrEqual(viewport.width + 1);
          await page.screenshot({ path: `artifacts/${p.name}-${device}-${scheme}.png`, fullPage: true });
        }
      });
    }
  }
});

test.describe('dark mode toggle', () => {
  test.use({ storageState: STORAGE.viewer });
  test('is remembered across reloads without a flash', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/admin');
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveClass(/dark/);
    await page.reload({ waitUntil: 'commit' });
    // the class is set by the inline head script, before any React code runs
    await page.waitForSelector('html.dark', { timeout: 15_000 });
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).not.toHaveClass(/dark/);
  });
});
