import { expect, test } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { listen, notify, sql } from '../support/db.js';
import { insertError, seedStatus } from '../support/seed.js';

test.use({ storageState: STORAGE.admin });

// The worker NOTIFYs relay_events after writing; the panel must show it without a reload.
const LIVE_MS = 2_000;

test('an outage turns the status card red and adds the error live; acknowledging clears it', async ({
  page,
}) => {
  await seedStatus({ db3cx: 'up', xapi: 'up', callcontrol: 'up' });
  await sql(`UPDATE error_log SET acknowledged_at = now() WHERE acknowledged_at IS NULL`);
  await page.goto('/admin');
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-connected', 'true');
  const card = page.getByTestId('status-card-db3cx');
  await expect(card).toHaveAttribute('data-state', 'up');

  await seedStatus({ db3cx: 'down', xapi: 'up', callcontrol: 'up' });
  await notify('relay_events', { kind: 'status', component: 'db3cx' });
  const message = `3CX database unreachable ${Date.now()}`;
  const id = await insertError(message, 'critical', 'db3cx');
  await notify('relay_events', { kind: 'error', id });

  await expect(card).toHaveAttribute('data-state', 'down', { timeout: LIVE_MS });
  await expect(card).toHaveClass(/border-l-red-600/);
  await expect(card).toContainText('ECONNREFUSED');
  await expect(page.getByTestId('newest-errors').getByText(message)).toBeVisible({ timeout: LIVE_MS });
  await page.screenshot({ path: 'artifacts/dashboard-outage-desktop-light.png', fullPage: true });

  await page.goto('/admin/errors');
  const row = page.getByTestId(`error-row-${id}`);
  await expect(row).toContainText(message);
  await row.getByRole('button', { name: `Acknowledge error ${id}` }).click();
  await expect(row).toHaveAttribute('data-acknowledged', 'true');
  await expect(row).toContainText('admin@relay.test');
  const [acked] = await sql<{ email: string; acknowledged_at: Date }>(
    `SELECT u.email, e.acknowledged_at FROM error_log e JOIN admin_users u ON u.id = e.acknowledged_by_id WHERE e.id = $1`,
    [id],
  );
  expect(acked!.email).toBe('admin@relay.test');

  await page.goto('/admin');
  await expect(page.getByText(message)).toHaveCount(0);
  await seedStatus();
});

test('the error feed shows new entries without a reload, filters by severity and acknowledges many', async ({
  page,
}) => {
  await page.goto('/admin/errors');
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-connected', 'true');
  const a = await insertError('live warning A', 'warning', 'xapi');
  const b = await insertError('live warning B', 'warning', 'xapi');
  await notify('relay_events', { kind: 'error' });
  await expect(page.getByTestId(`error-row-${a}`)).toBeVisible({ timeout: LIVE_MS });
  await expect(page.getByTestId(`error-row-${b}`)).toBeVisible();

  await page.getByLabel('Severity').selectOption('warning');
  await page.getByLabel('Search').fill('live warning');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/severity=warning/);
  await expect(page.getByTestId('error-rows').locator('tr')).toHaveCount(2);

  await page.getByLabel(`Select error ${a}`).check();
  await page.getByLabel(`Select error ${b}`).check();
  await page.getByRole('button', { name: 'Acknowledge selected (2)' }).click();
  await expect(page.getByTestId(`error-row-${a}`)).toHaveAttribute('data-acknowledged', 'true');
  await expect(page.getByTestId(`error-row-${b}`)).toHaveAttribute('data-acknowledged', 'true');
});

test('error history is paginated on the server', async ({ page, request }) => {
  await sql(
    `INSERT INTO error_log (severity, component, message) SELECT 'info', 'worker', 'paged info ' || g FROM generate_series(1, 45) g`,
  );
  const res = await request.get('/admin/api/errors?q=paged%20info&page=3');
  const body = (await res.json()) as { total: number; page: number; pageCount: number; rows: unknown[] };
  expect(body).toMatchObject({ total: 45, page: 3, pageCount: 3 });
  expect(body.rows).toHaveLength(5);
  await page.goto('/admin/errors?q=paged+info');
  await expect(page.getByText('Page 1 of 3 · 45 total')).toBeVisible();
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page.getByText('Page 2 of 3 · 45 total')).toBeVisible();
});

test('the reconnect button writes a control command and NOTIFYs relay_control', async ({ page }) => {
  await page.goto('/admin/connections');
  const control = await listen('relay_control');
  try {
    await page.getByTestId('reconnect-xapi').click();
    await expect(page.getByText('Reconnect requested')).toBeVisible();
    const msg = (await control.next()) as { id: string; command: string; args: { component: string } };
    expect(msg).toMatchObject({ command: 'reconnect', args: { component: 'xapi' } });
    const [row] = await sql<{
      command: string;
      args: { component: string };
      email: string;
      handled_at: Date | null;
    }>(
      `SELECT c.command, c.args, u.email, c.handled_at FROM control_commands c JOIN admin_users u ON u.id = c.requested_by_id WHERE c.id = $1`,
      [msg.id],
    );
    expect(row).toMatchObject({
      command: 'reconnect',
      args: { component: 'xapi' },
      email: 'admin@relay.test',
      handled_at: null,
    });
  } finally {
    await control.close();
  }
  const [audit] = await sql<{ action: string }>(
    `SELECT action FROM audit_log WHERE action = 'connection.reconnect' ORDER BY id DESC LIMIT 1`,
  );
  expect(audit!.action).toBe('connection.reconnect');
});
