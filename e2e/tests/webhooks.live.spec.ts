import { STORAGE } from '../support/auth.js';
import { sql } from '../support/db.js';
import { expect, test } from '../support/live-fixture.js';
import { startReceiver } from '../support/receiver.js';

test.use({ storageState: STORAGE.admin });

test('a subscription created in the UI gets a signed test event; its delivery log shows the 2xx', async ({
  page,
  live: _live,
}) => {
  const receiver = await startReceiver();
  try {
    await page.goto('/admin/webhooks/new');
    await page.getByLabel('Name').fill('Live receiver');
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel(/Allow local network/).check();
    await page.getByRole('button', { name: 'Create subscription' }).click();
    const secret = (await page.getByTestId('revealed-secret').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    receiver.setSecret(secret);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Live receiver' })).toBeVisible();

    await page.getByTestId('send-test').click();
    await expect(page.getByText('Test event requested')).toBeVisible();

    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const [first] = receiver.received;
    expect(first!.verifyError).toBeNull();
    expect(first!.payload?.type).toBe('relay.test');

    // the delivery log is not live: reload until the worker has recorded the attempt
    const rows = page.getByTestId('delivery-rows').locator('tr');
    await expect(async () => {
      await page.reload();
      await expect(rows.filter({ hasText: 'relay.test' })).toHaveCount(1, { timeout: 500 });
    }).toPass({ timeout: 10_000 });
    const row = rows.filter({ hasText: 'relay.test' });
    await expect(row).toContainText('succeeded');
    await expect(row).toContainText(/#1 .*· 200 ·/);
    await expect(row).toContainText('received by e2e');

    const attempts = await sql<{ status_code: number; succeeded: boolean }>(
      `SELECT a.status_code, a.succeeded FROM delivery_attempts a
         JOIN deliveries d ON d.id = a.delivery_id
         JOIN webhook_subscriptions s ON s.id = d.subscription_id
        WHERE s.name = 'Live receiver'`,
    );
    expect(attempts).toEqual([{ status_code: 200, succeeded: true }]);

    // later specs run call scenarios; this receiver is gone by then
    await page.getByTestId('toggle-enabled').click();
    await expect(page.getByText(/^disabled/)).toBeVisible();
  } finally {
    await receiver.close();
  }
});
