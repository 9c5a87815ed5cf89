import { STORAGE } from '../support/auth.js';
import { sql } from '../support/db.js';
import { expect, test } from '../support/live-fixture.js';

test.use({ storageState: STORAGE.admin });

test('a webhooks:manage key made in the panel subscribes through /relay/webhooks; the panel shows which key made it and audits its actions', async ({
  page,
  live,
}) => {
  await page.goto('/admin/api-keys');
  await page.getByLabel('Key name').fill('CRM connector');
  await page.getByLabel('calls:read').uncheck();
  await page.getByLabel('webhooks:manage').check();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const key = (await page.getByTestId('revealed-secret').textContent())!.trim();
  const prefix = key.split('.')[0]!;
  await page.getByRole('button', { name: 'Done' }).click();

  const res = await fetch(`${live.workerUrl}/relay/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'CRM via API',
      url: 'https://crm.example.com/hooks/relay',
      eventTypes: ['call.*'],
    }),
  });
  expect(res.status).toBe(201);
  const created = (await res.json()) as { subscription: { id: string }; secret: string };
  expect(created.secret).toMatch(/^whsec_/);

  await page.goto('/admin/webhooks');
  const row = page.getByTestId(`webhook-${created.subscription.id}`);
  await expect(row.getByTestId('made-by')).toHaveText(`API key CRM connector (${prefix})`);
  await row.getByRole('link', { name: 'CRM via API' }).click();
  // the list's cells carry the same test id: read it on the subscription's own page
  await expect(page).toHaveURL(new RegExp(`/admin/webhooks/${created.subscription.id}$`));
  await expect(page.getByTestId('signing-keys')).toBeVisible();
  await expect(page.locator('dd[data-testid="made-by"]')).toHaveText(`API key CRM connector (${prefix})`);
  expect(await page.content()).not.toContain(created.secret);

  await page.goto('/admin/audit');
  await expect(page.getByText(`API key CRM connector (${prefix})`).first()).toBeVisible();
  const [entry] = await sql<{ action: string }>(
    `SELECT action FROM audit_log a JOIN api_keys k ON k.id = a.actor_api_key_id WHERE k.prefix = $1`,
    [prefix],
  );
  expect(entry?.action).toBe('webhook.create');
});
