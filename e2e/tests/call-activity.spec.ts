import { expect, test } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { seedCallEvents } from '../support/call-events.js';
import { sql } from '../support/db.js';

test.use({ storageState: STORAGE.viewer });

const PAYLOAD = `<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>"'><svg onload=window.__xss=1>`;

test('Recent call activity lists call events with readable badges and renders a hostile caller name as text', async ({
  page,
}) => {
  const seqs = await seedCallEvents({ name: PAYLOAD, number: '+4915112345678' });
  await page.goto('/admin');
  const card = page.getByTestId('call-activity');
  const badges = ['ringing', 'answered', 'ended', 'cdr', 'completed'];
  for (const [i, seq] of seqs.entries()) {
    await expect(card.getByTestId(`call-event-${seq}`)).toContainText(badges[i]!);
  }
  // newest first
  await expect(card.locator('li').first()).toHaveAttribute('data-sequence', seqs.at(-1)!);
  const ended = card.getByTestId(`call-event-${seqs[2]}`);
  await expect(ended).toContainText('answered · ring 4.3 s · talk 29.6 s · by 101');
  await expect(ended).toContainText('ext 101 · queue 800 · DID 32655144');
  await expect(ended).toContainText('Ben Carter (101)');
  // the payload is text: visible verbatim, no element it describes exists, nothing ran
  await expect(ended.getByText(`${PAYLOAD} (+4915112345678)`)).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator('img[src="x"], svg[onload]').count()).toBe(0);
  expect(
    Number(await page.getByTestId('stat-call-events').locator('p').nth(1).textContent()),
  ).toBeGreaterThanOrEqual(seqs.length);
});

test('a NOTIFY on relay_new_events shows new call events without a reload', async ({ page }) => {
  await page.goto('/admin');
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-connected', 'true');
  await page.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 7));
  const seqs = await seedCallEvents({ name: 'Live Caller', number: '+491701234567' });
  await sql(`SELECT pg_notify('relay_new_events', $1)`, [seqs.at(-1)]);
  await expect(page.getByTestId(`call-event-${seqs.at(-1)}`)).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker)).toBe(7);
});

test('the Active calls tile reads the worker’s callcontrol details', async ({ page }) => {
  await sql(
    `INSERT INTO component_status (component, status, since, updated_at, details)
     VALUES ('callcontrol', 'up', now(), now(), '{"activeCalls": 3, "lastReconcile": "periodic"}')
     ON CONFLICT (component) DO UPDATE SET details = EXCLUDED.details, updated_at = now()`,
  );
  await page.goto('/admin');
  const tile = page.getByTestId('stat-active-calls');
  await expect(tile.locator('p').nth(1)).toHaveText('3');
  await expect(tile).toContainText('as of');
  await sql(`UPDATE component_status SET details = NULL WHERE component = 'callcontrol'`);
});
