import { expect, test, type Page } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { sql } from '../support/db.js';
import { seedStatus } from '../support/seed.js';

test.use({ storageState: STORAGE.admin });

const PAYLOAD = `<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>"'><svg onload=window.__xss=1>`;

async function expectInert(page: Page, path: string) {
  await page.goto(path);
  await expect(page.getByText(PAYLOAD).first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator('img[src="x"], svg[onload]').count()).toBe(0);
}

test('an XSS payload in every free-text field renders as text', async ({ page, request }) => {
  const key = await request.post('/admin/api/api-keys', { data: { name: PAYLOAD, scopes: ['calls:read'] } });
  expect(key.status()).toBe(200);
  const { key: k } = (await key.json()) as { key: { id: string } };
  const sub = await request.post('/admin/api/webhooks', {
    data: { name: PAYLOAD, description: PAYLOAD, url: 'https://example.com/hook' },
  });
  expect(sub.status()).toBe(200);
  const { subscription } = (await sub.json()) as { subscription: { id: string } };
  const user = await request.post('/admin/api/users', {
    data: { email: 'xss@relay.test', name: PAYLOAD, role: 'viewer', password: 'xss-password-1234' },
  });
  expect(user.status()).toBe(200);
  // worker-written text: error messages, status errors, delivery responses
  await sql(
    `INSERT INTO error_log (severity, component, code, message) VALUES ('error', 'xapi', 'XSS', $1)`,
    [PAYLOAD],
  );
  await seedStatus();
  await sql(`UPDATE component_status SET last_error = $1 WHERE component = 'xapi'`, [PAYLOAD]);
  const [ev] = await sql<{ sequence: string }>(
    `INSERT INTO events (id, type, occurred_at, data) VALUES ($1, 'relay.test', now(), '{}') RETURNING sequence::text`,
    [`evt_xss_${Date.now()}`],
  );
  const [del] = await sql<{ id: string }>(
    `INSERT INTO deliveries (event_sequence, subscription_id, status, last_error) VALUES ($1, $2, 'failed', $3) RETURNING id::text`,
    [ev!.sequence, subscription.id, PAYLOAD],
  );
  await sql(
    `INSERT INTO delivery_attempts (delivery_id, attempt_no, started_at, duration_ms, status_code, response_excerpt) VALUES ($1, 1, now(), 5, 500, $2)`,
    [del!.id, PAYLOAD],
  );

  await expectInert(page, '/admin/api-keys');
  await expectInert(page, `/admin/api-keys/${k.id}`);
  await expectInert(page, '/admin/webhooks');
  await expectInert(page, `/admin/webhooks/${subscription.id}`);
  await expectInert(page, '/admin/users');
  await expectInert(page, '/admin/errors');
  await expectInert(page, '/admin');
  await expectInert(page, '/admin/connections');
  await page.goto('/admin/audit');
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

  await sql(`UPDATE component_status SET last_error = NULL`);
  await sql(`UPDATE error_log SET acknowledged_at = now() WHERE code = 'XSS'`);
});
