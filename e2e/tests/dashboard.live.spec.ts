import type { Page } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { measureUntil } from '../support/deadline.js';
import { expect, test } from '../support/live-fixture.js';
import { startReceiver } from '../support/receiver.js';

test.use({ storageState: STORAGE.admin });

/** The figure of the dashboard tile labelled `label`. */
async function tile(page: Page, label: string): Promise<number> {
  const text = await page
    .getByText(label, { exact: true })
    .locator('xpath=following-sibling::p')
    .textContent();
  return Number(text);
}

test('the dashboard counts deliveries of a simulated call without a reload', async ({
  page,
  live,
}, testInfo) => {
  const receiver = await startReceiver();
  try {
    const res = await page.request.post('/admin/api/webhooks', {
      data: { name: 'Dashboard receiver', url: receiver.url, allowedCidrs: ['127.0.0.0/8'] },
    });
    expect(res.status()).toBe(200);
    receiver.setSecret(((await res.json()) as { secret: string }).secret);

    await page.goto('/admin');
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-connected', 'true');
    const before = await tile(page, 'Deliveries ok (24 h)');
    // survives the live refresh (router.refresh), not a reload
    await page.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 42));

    const startedAt = Date.now();
    const call = await live.sim.runScenario('inbound-queue-answered');
    expect(call.outcome).toBe('answered');
    // the receiver got the call's events, signed
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(receiver.received.every((r) => r.verifyError === null)).toBe(true);
    const firstAt = Date.now();

    const ms = await measureUntil(
      'delivery count moved',
      async () => (await tile(page, 'Deliveries ok (24 h)')) > before,
      {
        since: firstAt,
        timeoutMs: 10_000,
        everyMs: 100,
      },
    );
    testInfo.annotations.push({ type: 'dashboard update', description: `${ms} ms after the first delivery` });
    process.stdout.write(
      `[measure] scenario → first delivery ${firstAt - startedAt} ms; dashboard count moved ${ms} ms later\n`,
    );
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker)).toBe(42);
  } finally {
    await receiver.close();
  }
});
