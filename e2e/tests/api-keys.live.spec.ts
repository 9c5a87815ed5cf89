import { STORAGE } from '../support/auth.js';
import { measureUntil } from '../support/deadline.js';
import { expect, test } from '../support/live-fixture.js';

test.use({ storageState: STORAGE.admin });

/**
 * How long the test waits for the refusal: a correctness deadline, generous for a loaded machine.
 * The latency itself (the product's target: well under 1 s, through NOTIFY) is printed, not asserted.
 */
const REVOKE_MS = 20_000;

async function activeCalls(workerUrl: string, key: string): Promise<number> {
  const res = await fetch(`${workerUrl}/relay/active-calls`, {
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(2_000),
  });
  await res.arrayBuffer();
  return res.status;
}

test('a key generated in the UI works against the worker and is refused once revoked, without waiting for the cache to expire', async ({
  page,
  live,
}, testInfo) => {
  await page.goto('/admin/api-keys');
  await page.getByLabel('Key name').fill('live revoke probe');
  await page.getByRole('button', { name: 'Generate key' }).click();
  const key = (await page.getByTestId('revealed-secret').textContent())!.trim();
  const prefix = key.split('.')[0]!;
  await page.getByRole('button', { name: 'Done' }).click();

  // used twice: the second answer comes from the worker's verified-key cache, which the
  // revocation has to clear (a bcrypt check on every request would hide that path)
  expect(await activeCalls(live.workerUrl, key)).toBe(200);
  expect(await activeCalls(live.workerUrl, key)).toBe(200);

  page.once('dialog', (d) => void d.accept());
  const clickedAt = Date.now(); // measured from the click: browser → admin → NOTIFY → worker
  await page.getByTestId(`revoke-${prefix}`).click();
  const ms = await measureUntil(
    'revoked key refused',
    async () => (await activeCalls(live.workerUrl, key)) === 401,
    {
      since: clickedAt,
      timeoutMs: REVOKE_MS,
    },
  );
  testInfo.annotations.push({ type: 'revocation latency', description: `${ms} ms` });
  process.stdout.write(`[measure] API key revocation → 401 in ${ms} ms\n`);
  await expect(page.getByTestId(`api-key-${prefix}`).getByText('revoked')).toBeVisible();
  expect(await activeCalls(live.workerUrl, key)).toBe(401);
});
