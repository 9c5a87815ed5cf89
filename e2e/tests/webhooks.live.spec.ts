import { createPublicKey, verify } from 'node:crypto';
import { STORAGE } from '../support/auth.js';
import { sql } from '../support/db.js';
import type { Page } from '@playwright/test';
import { expect, test } from '../support/live-fixture.js';
import { startReceiver } from '../support/receiver.js';

test.use({ storageState: STORAGE.admin });

/** Creates a subscription for a loopback receiver through the form. */
async function createInUi(page: Page, name: string, url: string, scheme?: 'ed25519'): Promise<void> {
  await page.goto('/admin/webhooks/new');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('URL').fill(url);
  await page.getByLabel('Allowed private networks').fill('127.0.0.0/8');
  if (scheme) await page.getByLabel('Signature scheme').selectOption(scheme);
  await page.getByRole('button', { name: 'Create subscription' }).click();
}

/** The delivery log's `relay.test` row; the log is not live, so reload until the worker recorded it. */
async function testDeliveryRow(page: Page) {
  // The delivery log is a server-rendered page: reload until the test delivery is there and
  // finished (the worker records the attempt just after the receiver answers, later on a busy
  // machine).
  const row = page.getByTestId('delivery-rows').locator('tr').filter({ hasText: 'relay.test' });
  await expect(async () => {
    await page.reload();
    await expect(row).toHaveCount(1, { timeout: 500 });
    await expect(row).not.toContainText('pending', { timeout: 500 });
  }).toPass({ timeout: 30_000 });
  return row;
}

/** Later specs run call scenarios and this spec's receiver is gone by then: disable the subscription. */
async function disableSubscription(page: Page): Promise<void> {
  await page.getByTestId('toggle-enabled').click();
  await expect(page.getByText(/^disabled/)).toBeVisible();
}

test('a subscription created in the UI gets a signed test event; its delivery log shows the 2xx', async ({
  page,
  live: _live,
}) => {
  const receiver = await startReceiver();
  try {
    await createInUi(page, 'Live receiver', receiver.url);
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

    const row = await testDeliveryRow(page);
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

    await disableSubscription(page);
  } finally {
    await receiver.close();
  }
});

test('an ed25519 subscription created in the UI gets a test event signed v1a that verifies with its whpk_ key', async ({
  page,
  live: _live,
}) => {
  const receiver = await startReceiver();
  try {
    await createInUi(page, 'Live ed25519 receiver', receiver.url, 'ed25519');
    const publicKey = (await page
      .getByRole('region', { name: 'ed25519 public key' })
      .getByTestId('public-key')
      .textContent())!.trim();
    expect(publicKey).toMatch(/^whpk_/);
    await page.getByRole('link', { name: 'Open the subscription' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Live ed25519 receiver' })).toBeVisible();

    await page.getByTestId('send-test').click();
    await expect(page.getByText('Test event requested')).toBeVisible();
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const [req] = receiver.received;

    // verified here with node:crypto and the public key alone, as a receiver would
    const entries = String(req!.headers['webhook-signature']).split(' ');
    expect(entries.map((e) => e.split(',')[0])).toEqual(['v1a']);
    const key = createPublicKey({
      key: Buffer.concat([
        Buffer.from('302a300506032b6570032100', 'hex'),
        Buffer.from(publicKey.slice('whpk_'.length), 'base64'),
      ]),
      format: 'der',
      type: 'spki',
    });
    const signed = (body: string) =>
      Buffer.from(
        `${String(req!.headers['webhook-id'])}.${String(req!.headers['webhook-timestamp'])}.${body}`,
      );
    const signature = Buffer.from(entries[0]!.slice('v1a,'.length), 'base64');
    expect(verify(null, signed(req!.body), key, signature)).toBe(true);
    expect(verify(null, signed(req!.body.replace('relay.test', 'relay.tesT')), key, signature)).toBe(false);
    expect(JSON.parse(req!.body)).toMatchObject({ type: 'relay.test' });

    await expect(await testDeliveryRow(page)).toContainText('succeeded');

    await disableSubscription(page);
  } finally {
    await receiver.close();
  }
});
