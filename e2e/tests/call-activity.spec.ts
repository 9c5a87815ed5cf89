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

test('a call that ended in a mailbox shows its disposition (voicemail), not just "missed"', async ({
  page,
}) => {
  const tag = `${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const data = {
    callHistoryId: `chid-${tag}`,
    direction: 'inbound',
    caller: { number: '+41791234567', name: 'Nathan Jones', dn: '10008', kind: 'external' },
    callee: { number: '103', name: 'David Evans', dn: '103', kind: 'extension' },
    did: '+41274842020',
    didRaw: '0274842020',
    queue: null,
    outcome: 'missed',
    disposition: 'voicemail',
    ringDurationSeconds: 15,
    talkDurationSeconds: 0,
    answeredBy: null,
    handledBy: null,
    department: 'Sales',
  };
  const [row] = await sql<{ sequence: string }>(
    `INSERT INTO events (id, type, occurred_at, call_history_id, extensions, dids, queues, departments, data)
     VALUES ($1, 'call.completed', now(), $2, '{103}', '{+41274842020,0274842020}', '{}', '{Sales}', $3::jsonb)
     RETURNING sequence::text`,
    [`evt_e2e_vm_${tag}`, data.callHistoryId, JSON.stringify(data)],
  );
  await page.goto('/admin');
  const li = page.getByTestId(`call-event-${row!.sequence}`);
  await expect(li.getByTestId('call-disposition')).toHaveText('voicemail');
  await expect(li).toContainText('voicemail · ring 15 s');
  await expect(li).toContainText('DID +41274842020 · dept Sales');
  await expect(li).toContainText('Nathan Jones (+41791234567)');
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
