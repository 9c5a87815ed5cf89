import type { Page } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { sql } from '../support/db.js';
import { measureUntil } from '../support/deadline.js';
import { expect, test } from '../support/live-fixture.js';

test.use({ storageState: STORAGE.viewer });

/** Sequences of the call events the card shows now. */
async function shownSequences(page: Page): Promise<bigint[]> {
  const seqs = await page
    .getByTestId('call-activity')
    .locator('li')
    .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-sequence') ?? '0'))
    .catch(() => [] as string[]);
  return seqs.map((s) => BigInt(s));
}

/** Milliseconds from the event row's insert (database clock, same host) to `seenAt`. */
async function sinceInsert(sequence: bigint, seenAt: number): Promise<number> {
  const [row] = await sql<{ at: string }>(
    `SELECT (extract(epoch FROM created_at) * 1000)::bigint::text at FROM events WHERE sequence = $1`,
    [sequence.toString()],
  );
  return seenAt - Number(row!.at);
}

test('a simulated call appears in Recent call activity without a reload', async ({
  page,
  live,
}, testInfo) => {
  const [last] = await sql<{ max: string }>(`SELECT coalesce(max(sequence), 0)::text max FROM events`);
  const before = BigInt(last!.max);
  await page.goto('/admin');
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-connected', 'true');
  // survives the live refresh (router.refresh), not a reload
  await page.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 42));

  const scenario = live.sim.runScenario('inbound-queue-answered');
  let first = 0n;
  await measureUntil(
    'first event of the call in the card',
    async () => {
      const fresh = (await shownSequences(page)).filter((s) => s > before);
      if (fresh.length) first = fresh.reduce((a, b) => (a < b ? a : b));
      return fresh.length > 0;
    },
    { timeoutMs: 15_000 },
  );
  const firstMs = await sinceInsert(first, Date.now());

  const call = await scenario;
  expect(call.outcome).toBe('answered');
  const ended = page.locator(
    `[data-testid="call-activity"] li[data-type="call.ended"][data-call-id="${call.callid}"]`,
  );
  await expect(ended).toBeVisible({ timeout: 10_000 });
  const endedMs = await sinceInsert(BigInt((await ended.getAttribute('data-sequence'))!), Date.now());
  await expect(ended).toContainText('ended');
  await expect(ended).toContainText(/answered · ring [\d.]+ s · talk [\d.]+ s/);
  await expect(ended).toContainText('DID 32655144');

  testInfo.annotations.push({
    type: 'call activity update',
    description: `first event ${firstMs} ms, call.ended ≤ ${endedMs} ms after insert`,
  });
  process.stdout.write(
    `[measure] event row → "Recent call activity": first event of the call ${firstMs} ms; call.ended seen ≤ ${endedMs} ms after its insert\n`,
  );
  expect(firstMs).toBeLessThan(3_000);
  expect(await page.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker)).toBe(42);
  const tile = Number(await page.getByTestId('stat-call-events').locator('p').nth(1).textContent());
  expect(tile).toBeGreaterThan(0);
});
