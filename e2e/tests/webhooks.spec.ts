import { expect, test } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { listen, sql } from '../support/db.js';
import { openBox } from '../support/secret-box.js';
import { stackState } from '../support/state.js';

test.use({ storageState: STORAGE.admin });

test('create a subscription: secret revealed once and stored encrypted; edit, test, rotate, disable', async ({
  page,
}) => {
  await page.goto('/admin/webhooks/new');
  await page.getByLabel('Name').fill('On-prem CRM');
  await page.getByLabel('URL').fill('http://127.0.0.1:9/hook');
  await page.getByLabel('call.ended').check();
  await page.getByLabel('call.missed').check();
  await page.getByLabel('Extensions').fill('101, 102');
  await page.getByLabel('Queues').fill('800');
  // a loopback target without the flag is refused
  await page.getByRole('button', { name: 'Create subscription' }).click();
  await expect(page.getByTestId('form-error')).toContainText('local network');
  await page.getByLabel(/Allow local network/).check();
  await page.getByRole('button', { name: 'Create subscription' }).click();
  const secret = (await page.getByTestId('revealed-secret').textContent())!.trim();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

  const [sub] = await sql<{
    id: string;
    event_types: string[];
    extensions: string[];
    queues: string[];
    allow_local_network: boolean;
  }>(
    `SELECT id::text, event_types, extensions, queues, allow_local_network FROM webhook_subscriptions WHERE name = 'On-prem CRM'`,
  );
  expect(sub).toMatchObject({
    event_types: ['call.ended', 'call.missed'],
    extensions: ['101', '102'],
    queues: ['800'],
    allow_local_network: true,
  });
  const [box] = await sql<{ ciphertext: string; key_id: string }>(
    `SELECT ciphertext, key_id FROM webhook_secrets WHERE subscription_id = $1`,
    [sub!.id],
  );
  expect(box!.ciphertext).not.toContain(secret.slice(6));
  expect(box!.key_id).toBe('k1');
  expect(openBox(box!.ciphertext, stackState().encryptionKey)).toBe(secret);

  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'On-prem CRM' })).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  // edit
  await page.getByLabel('DIDs').fill('+4930123456');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved')).toBeVisible();
  const [edited] = await sql<{ dids: string[] }>(`SELECT dids FROM webhook_subscriptions WHERE id = $1`, [
    sub!.id,
  ]);
  expect(edited!.dids).toEqual(['+4930123456']);

  const control = await listen('relay_control');
  try {
    await page.getByTestId('send-test').click();
    await expect(page.getByText('Test event requested')).toBeVisible();
    expect(await control.next()).toMatchObject({ command: 'send-test', args: { subscriptionId: sub!.id } });

    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('rotate-secret').click();
    const rotated = (await page.getByTestId('revealed-secret').textContent())!.trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    expect(await control.next()).toMatchObject({ command: 'reload-subscriptions' });
    const secrets = await sql<{ ciphertext: string; expires_at: Date | null }>(
      `SELECT ciphertext, expires_at FROM webhook_secrets WHERE subscription_id = $1 ORDER BY created_at`,
      [sub!.id],
    );
    expect(secrets).toHaveLength(2);
    const hours = (secrets[0]!.expires_at!.getTime() - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    expect(secrets[1]!.expires_at).toBeNull();
    expect(openBox(secrets[1]!.ciphertext, stackState().encryptionKey)).toBe(rotated);
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByTestId('toggle-enabled').click();
    await expect(page.getByText(/^disabled/)).toBeVisible();
    const [off] = await sql<{
      enabled: boolean;
      disabled_reason: string;
      event_types: string[];
      allow_local_network: boolean;
    }>(
      `SELECT enabled, disabled_reason, event_types, allow_local_network FROM webhook_subscriptions WHERE id = $1`,
      [sub!.id],
    );
    // disabling changes nothing else
    expect(off).toMatchObject({
      enabled: false,
      disabled_reason: 'disabled by admin@relay.test',
      event_types: ['call.ended', 'call.missed'],
      allow_local_network: true,
    });

    await page.getByTestId('retry-failed').click();
    await expect(page.getByText('Retry requested')).toBeVisible();
    await page.getByLabel('Re-send events since').fill('2026-01-01T08:30');
    await page.getByRole('button', { name: 'Recover' }).click();
    await expect(page.getByText('Recovery requested')).toBeVisible();
    const cmds = await sql<{ command: string; args: Record<string, string> }>(
      `SELECT command, args FROM control_commands WHERE args->>'subscriptionId' = $1 ORDER BY id`,
      [sub!.id],
    );
    expect(cmds.map((c) => c.command)).toEqual([
      'reload-subscriptions',
      'reload-subscriptions',
      'send-test',
      'reload-subscriptions',
      'reload-subscriptions',
      'retry-failed',
      'recover',
    ]);
    expect(cmds.at(-1)!.args.since).toMatch(/^2026-01-01T/);
  } finally {
    await control.close();
  }
});

test('delivery log shows attempts with response excerpts; retry one writes a command', async ({
  page,
  request,
}) => {
  const res = await request.post('/admin/api/webhooks', {
    data: { name: 'Log test', url: 'https://crm.example.com/hook' },
  });
  const { subscription } = (await res.json()) as { subscription: { id: string } };
  const [ev] = await sql<{ sequence: string }>(
    `INSERT INTO events (id, type, occurred_at, data) VALUES ('evt_log_1', 'call.ended', now(), '{}') RETURNING sequence::text`,
  );
  const [del] = await sql<{ id: string }>(
    `INSERT INTO deliveries (event_sequence, subscription_id, status, attempt_count, last_status_code, last_error)
     VALUES ($1, $2, 'failed', 2, 500, 'HTTP 500') RETURNING id::text`,
    [ev!.sequence, subscription.id],
  );
  await sql(
    `INSERT INTO delivery_attempts (delivery_id, attempt_no, started_at, duration_ms, status_code, response_excerpt, succeeded)
     VALUES ($1, 1, now() - interval '1 minute', 35, 500, 'upstream exploded', false), ($1, 2, now(), 20, 500, 'still broken', false)`,
    [del!.id],
  );
  await page.goto(`/admin/webhooks/${subscription.id}`);
  const log = page.getByTestId('delivery-rows');
  await expect(log.getByText('evt_log_1')).toBeVisible();
  await expect(log.getByText('upstream exploded')).toBeVisible();
  await expect(log.getByText('still broken')).toBeVisible();
  await page.screenshot({ path: 'artifacts/webhook-detail-desktop-light.png', fullPage: true });
  await log.getByRole('button', { name: 'Retry' }).click();
  await expect(log.getByText('Retry requested')).toBeVisible();
  const [cmd] = await sql<{ args: { deliveryId: string } }>(
    `SELECT args FROM control_commands WHERE command = 'retry-delivery' ORDER BY id DESC LIMIT 1`,
  );
  expect(cmd!.args.deliveryId).toBe(del!.id);
});
