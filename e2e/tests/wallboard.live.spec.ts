import type { Page } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { expect, test } from '../support/live-fixture.js';

test.use({ storageState: STORAGE.viewer });

/** The text of a locator now. */
const textOf = async (page: Page, testId: string) =>
  (await page.getByTestId(testId).first().textContent()) ?? '';

test('the wallboard follows a queue caller, an agent going away and a call in progress, without a reload', async ({
  page,
  live,
}) => {
  await page.goto('/admin/wallboard');
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-connected', 'true');
  await page.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 7));
  const queue = page.getByTestId('queue-800');
  await expect(page.getByTestId('agent-101')).toBeVisible();
  await expect(queue).toBeVisible();

  // An agent goes away on their phone: the wallboard shows it within a poll.
  await live.sim.setUser('103', { profile: 'Away' });
  await expect(page.getByTestId('agent-103')).toHaveAttribute('data-status', 'Away');

  // A caller waits in queue 800 (slowed down: ~4 s in the queue), then hangs up.
  const abandonedBefore = Number(await textOf(page, 'queue-abandoned'));
  const call = live.sim.runScenario('queue-abandoned', { timeScale: 0.5 });
  await expect(queue.getByTestId('queue-waiting')).toHaveText('1');
  const firstWait = await queue.getByTestId('queue-longest-wait').textContent();
  await expect(queue.getByTestId('queue-longest-wait')).not.toHaveText(firstWait!); // ticking
  const row = page.getByTestId('call-row').first();
  await expect(row).toHaveAttribute('data-state', 'ringing');
  const firstDuration = await row.getByTestId('call-duration').textContent();
  await expect(row.getByTestId('call-duration')).not.toHaveText(firstDuration!);
  expect((await call).outcome).toBe('abandoned');
  await expect(queue.getByTestId('queue-waiting')).toHaveText('0');
  await expect(queue.getByTestId('queue-abandoned')).toHaveText(String(abandonedBefore + 1));
  await expect(page.getByTestId('call-row')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker)).toBe(7);
  await live.sim.setUser('103', { profile: 'Available' });
});

test('the wallboard fits a phone: no sideways scrolling, the queue figures first', async ({
  page,
  live: _live,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/admin/wallboard');
  await expect(page.getByTestId('queue-800')).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  const queueTop = (await page.getByTestId('queue-800').boundingBox())!.y;
  const agentsTop = (await page.getByTestId('wallboard-agents').boundingBox())!.y;
  expect(queueTop).toBeLessThan(agentsTop);
});

test('agent state history lists each change and filters by extension and kind of change', async ({
  page,
  live,
}) => {
  await live.sim.setUser('104', { profile: 'Out of office', queueStatus: 'LoggedOut' });
  await page.goto('/admin/agents?extension=104');
  const rows = page.getByTestId('agent-history-row');
  await expect(async () => {
    await page.reload();
    await expect(rows.first()).toContainText('Out of office', { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(rows.first()).toContainText('DND');
  await expect(rows.first()).toContainText('Queue login');
  await expect(rows.first().getByTestId('agent-history-now')).toContainText('logged out');

  await live.sim.setUser('104', { profile: 'Available', queueStatus: 'LoggedIn' });
  await expect(async () => {
    await page.reload();
    await expect(rows).toHaveCount(2, { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  // Filters: the form keeps them in the URL.
  await page.getByLabel('Change').selectOption('dnd');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/change=dnd/);
  await expect(rows).toHaveCount(2);
  await page.goto('/admin/agents?extension=104&change=registered');
  await expect(page.getByText('No agent state changes match.')).toBeVisible();
  await page.goto('/admin/agents?extension=101&presence=out_of_office');
  await expect(rows).toHaveCount(0);
});
