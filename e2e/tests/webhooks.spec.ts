import { createPrivateKey, createPublicKey } from 'node:crypto';
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
  // a loopback target outside the allowed private networks is refused
  await page.getByRole('button', { name: 'Create subscription' }).click();
  await expect(page.getByTestId('form-error')).toContainText('local network');
  await page.getByLabel('Allowed private networks').fill('10.0.0.0/8\n127.0.0.1');
  await page.getByRole('button', { name: 'Create subscription' }).click();
  const secret = (await page.getByTestId('revealed-secret').textContent())!.trim();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

  const [sub] = await sql<{
    id: string;
    event_types: string[];
    extensions: string[];
    queues: string[];
    allowed_cidrs: string[];
    ordering: string;
  }>(
    `SELECT id::text, event_types, extensions, queues, allowed_cidrs, ordering FROM webhook_subscriptions WHERE name = 'On-prem CRM'`,
  );
  expect(sub).toMatchObject({
    event_types: ['call.ended', 'call.missed'],
    extensions: ['101', '102'],
    queues: ['800'],
    allowed_cidrs: ['10.0.0.0/8', '127.0.0.1/32'],
    ordering: 'per-call',
  });
  const [box] = await sql<{ ciphertext: string; key_id: string; scheme: string; public_key: string | null }>(
    `SELECT ciphertext, key_id, scheme, public_key FROM webhook_secrets WHERE subscription_id = $1`,
    [sub!.id],
  );
  expect(box!.ciphertext).not.toContain(secret.slice(6));
  expect(box!.key_id).toBe('k1');
  // HMAC stays the default scheme
  expect(box).toMatchObject({ scheme: 'v1', public_key: null });
  await expect(page.getByTestId('public-key')).toHaveCount(0);
  expect(openBox(box!.ciphertext, stackState().encryptionKey)).toBe(secret);

  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'On-prem CRM' })).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  // edit
  await page.getByLabel('DIDs').fill('+4930123456');
  // Department names keep their inner spaces: only commas separate them.
  await page.getByLabel('Departments').fill('Hotline CH, __DEFAULT__');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved')).toBeVisible();
  const [edited] = await sql<{ dids: string[]; departments: string[] }>(
    `SELECT dids, departments FROM webhook_subscriptions WHERE id = $1`,
    [sub!.id],
  );
  expect(edited).toEqual({ dids: ['+4930123456'], departments: ['Hotline CH', '__DEFAULT__'] });
  await page.reload();
  await expect(page.getByLabel('Departments')).toHaveValue('Hotline CH, __DEFAULT__');

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
      allowed_cidrs: string[];
    }>(
      `SELECT enabled, disabled_reason, event_types, allowed_cidrs FROM webhook_subscriptions WHERE id = $1`,
      [sub!.id],
    );
    // disabling changes nothing else
    expect(off).toMatchObject({
      enabled: false,
      disabled_reason: 'disabled by admin@relay.test',
      event_types: ['call.ended', 'call.missed'],
      allowed_cidrs: ['10.0.0.0/8', '127.0.0.1/32'],
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

/** The whpk_ that belongs to a whsk_ (seed | public), derived from the seed with node:crypto alone. */
function publicKeyOfSeed(whsk: string): string {
  const seed = Buffer.from(whsk.slice('whsk_'.length), 'base64').subarray(0, 32);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({
    format: 'jwk',
  });
  return `whpk_${Buffer.from(jwk.x!, 'base64url').toString('base64')}`;
}

test('ed25519 subscription: whpk_ shown and always viewable, whsk_ only encrypted at rest; rotation adds a new key pair', async ({
  page,
  browser,
}) => {
  await page.goto('/admin/webhooks/new');
  await page.getByLabel('Name').fill('Ed25519 CRM');
  await page.getByLabel('URL').fill('https://crm.example.com/ed25519');
  await page.getByLabel('Signature scheme').selectOption('ed25519');
  await page.getByRole('button', { name: 'Create subscription' }).click();
  const shown = page.getByRole('region', { name: 'ed25519 public key' }).getByTestId('public-key');
  await expect(shown).toHaveText(/^whpk_[A-Za-z0-9+/]{43}=$/);
  const publicKey = (await shown.textContent())!.trim();
  // no HMAC secret to reveal, and nothing private on the page
  await expect(page.getByTestId('revealed-secret')).toHaveCount(0);
  expect(await page.content()).not.toContain('whsk_');

  const [sub] = await sql<{ id: string }>(
    `SELECT id::text FROM webhook_subscriptions WHERE name = 'Ed25519 CRM'`,
  );
  const keys = await sql<{ scheme: string; public_key: string; ciphertext: string; expires_at: Date | null }>(
    `SELECT scheme, public_key, ciphertext, expires_at FROM webhook_secrets WHERE subscription_id = $1`,
    [sub!.id],
  );
  expect(keys).toHaveLength(1);
  expect(keys[0]).toMatchObject({ scheme: 'v1a', public_key: publicKey, expires_at: null });
  const whsk = openBox(keys[0]!.ciphertext, stackState().encryptionKey);
  expect(whsk).toMatch(/^whsk_[A-Za-z0-9+/]{86}==$/);
  expect(publicKeyOfSeed(whsk)).toBe(publicKey);
  const whskBody = whsk.slice('whsk_'.length);
  expect(keys[0]!.ciphertext).not.toContain(whskBody);

  await page.getByRole('link', { name: 'Open the subscription' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ed25519 CRM' })).toBeVisible();
  const list = page.getByTestId('signing-keys');
  await expect(list).toContainText('ed25519 (v1a)');
  await expect(list.getByTestId('public-key')).toHaveText(publicKey);
  expect(await page.content()).not.toContain(whskBody);

  // the API shows the public key, never the private one
  const detail = await page.request.get(`/admin/api/webhooks/${sub!.id}`);
  const detailText = await detail.text();
  expect(JSON.parse(detailText)).toMatchObject({
    subscription: { secrets: [{ scheme: 'v1a', publicKey }] },
  });
  expect(detailText).not.toContain(whskBody);
  expect(detailText).not.toContain('ciphertext');

  // viewers see (and can copy) the public key, but get no rotate button
  const viewer = await browser.newContext({ storageState: STORAGE.viewer });
  try {
    const vp = await viewer.newPage();
    await vp.goto(`/admin/webhooks/${sub!.id}`);
    await expect(vp.getByTestId('signing-keys').getByTestId('public-key')).toHaveText(publicKey);
    await expect(vp.getByTestId('rotate-secret')).toHaveCount(0);
  } finally {
    await viewer.close();
  }

  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('rotate-secret').click();
  await expect(page.getByText('the new ed25519 public key is listed')).toBeVisible();
  await expect(page.getByTestId('revealed-secret')).toHaveCount(0);
  await expect(list.getByTestId('public-key')).toHaveCount(2);
  const rotated = await sql<{
    scheme: string;
    public_key: string;
    ciphertext: string;
    expires_at: Date | null;
  }>(
    `SELECT scheme, public_key, ciphertext, expires_at FROM webhook_secrets WHERE subscription_id = $1 ORDER BY created_at`,
    [sub!.id],
  );
  expect(rotated.map((k) => k.scheme)).toEqual(['v1a', 'v1a']);
  expect(rotated[0]!.public_key).toBe(publicKey);
  const hours = (rotated[0]!.expires_at!.getTime() - Date.now()) / 3600_000;
  expect(hours).toBeGreaterThan(23.9);
  expect(hours).toBeLessThanOrEqual(24);
  expect(rotated[1]!.expires_at).toBeNull();
  expect(rotated[1]!.public_key).not.toBe(publicKey);
  expect(publicKeyOfSeed(openBox(rotated[1]!.ciphertext, stackState().encryptionKey))).toBe(
    rotated[1]!.public_key,
  );
  await expect(list.getByTestId('public-key').first()).toHaveText(rotated[1]!.public_key);
  const [audit] = await sql<{ details: { schemes: string[] } }>(
    `SELECT details FROM audit_log WHERE action = 'webhook.rotate_secret' AND target_id = $1`,
    [sub!.id],
  );
  expect(audit!.details.schemes).toEqual(['v1a']);
});

test('POST /admin/api/webhooks signing=both returns the whsec_ once and the whpk_; rotation can switch schemes', async ({
  request,
}) => {
  const res = await request.post('/admin/api/webhooks', {
    data: { name: 'Both schemes', url: 'https://crm.example.com/both', signing: 'both' },
  });
  expect(res.status()).toBe(200);
  const created = (await res.json()) as {
    subscription: { id: string };
    secret: string;
    publicKey: string;
  };
  expect(created.secret).toMatch(/^whsec_/);
  expect(created.publicKey).toMatch(/^whpk_/);
  expect(JSON.stringify(created)).not.toContain('whsk_');
  const id = created.subscription.id;
  const keys = await sql<{ scheme: string; public_key: string | null }>(
    `SELECT scheme, public_key FROM webhook_secrets WHERE subscription_id = $1 ORDER BY scheme`,
    [id],
  );
  expect(keys).toEqual([
    { scheme: 'v1', public_key: null },
    { scheme: 'v1a', public_key: created.publicKey },
  ]);
  const [audit] = await sql<{ details: { signing: string } }>(
    `SELECT details FROM audit_log WHERE action = 'webhook.create' AND target_id = $1`,
    [id],
  );
  expect(audit!.details.signing).toBe('both');

  // rotating keeps both schemes
  const both = await request.post(`/admin/api/webhooks/${id}/rotate-secret`, { data: {} });
  expect(both.status()).toBe(200);
  const bothBody = (await both.json()) as { secret: string | null; publicKey: string | null };
  expect(bothBody.secret).toMatch(/^whsec_/);
  expect(bothBody.publicKey).toMatch(/^whpk_/);
  expect(JSON.stringify(bothBody)).not.toContain('whsk_');

  // moving to ed25519 only: the HMAC secrets expire after the grace period, no new whsec_
  const moved = await request.post(`/admin/api/webhooks/${id}/rotate-secret`, {
    data: { signing: 'ed25519', graceHours: 1 },
  });
  expect(moved.status()).toBe(200);
  expect(await moved.json()).toMatchObject({ secret: null, publicKey: expect.stringMatching(/^whpk_/) });
  const current = await sql<{ scheme: string }>(
    `SELECT scheme FROM webhook_secrets WHERE subscription_id = $1 AND expires_at IS NULL`,
    [id],
  );
  expect(current).toEqual([{ scheme: 'v1a' }]);
  const stillSigning = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_secrets WHERE subscription_id = $1 AND scheme = 'v1' AND expires_at > now()`,
    [id],
  );
  expect(stillSigning[0]!.n).toBe(2);
});

test('the panel switches an HMAC subscription to ed25519 on rotation: the HMAC secret keeps signing for 24 h', async ({
  page,
  request,
}) => {
  const res = await request.post('/admin/api/webhooks', {
    data: { name: 'Switch to ed25519', url: 'https://crm.example.com/switch' },
  });
  expect(res.status()).toBe(200);
  const { subscription } = (await res.json()) as { subscription: { id: string } };
  await page.goto(`/admin/webhooks/${subscription.id}`);
  await page.getByTestId('rotate-signing').selectOption('ed25519');
  let question = '';
  page.once('dialog', (d) => {
    question = d.message();
    void d.accept();
  });
  await page.getByTestId('rotate-secret').click();
  await expect(page.getByText('the new ed25519 public key is listed')).toBeVisible();
  expect(question).toContain('Switch signing to ed25519 (v1a)?');
  await expect(page.getByTestId('revealed-secret')).toHaveCount(0);
  await expect(page.getByTestId('signing-keys').getByTestId('public-key')).toHaveText(/^whpk_/);
  const keys = await sql<{ scheme: string; expires_at: Date | null }>(
    `SELECT scheme, expires_at FROM webhook_secrets WHERE subscription_id = $1 ORDER BY created_at`,
    [subscription.id],
  );
  expect(keys.map((k) => [k.scheme, k.expires_at === null])).toEqual([
    ['v1', false],
    ['v1a', true],
  ]);
  const hours = (keys[0]!.expires_at!.getTime() - Date.now()) / 3600_000;
  expect(hours).toBeGreaterThan(23.9);
});

test('hostile signing input gets a clear 400 and stores nothing', async ({ request }) => {
  const before = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_subscriptions`);
  for (const signing of ['rsa', '', { $ne: null }, ['ed25519'], 1]) {
    const res = await request.post('/admin/api/webhooks', {
      data: { name: 'Hostile', url: 'https://crm.example.com/h', signing },
    });
    expect(res.status(), JSON.stringify(signing)).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'signing: must be hmac, ed25519 or both',
    );
  }
  const after = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_subscriptions`);
  expect(after[0]!.n).toBe(before[0]!.n);

  const target = (await (
    await request.post('/admin/api/webhooks', {
      data: { name: 'Rotate target', url: 'https://crm.example.com/r' },
    })
  ).json()) as { subscription: { id: string } };
  const path = `/admin/api/webhooks/${target.subscription.id}/rotate-secret`;
  const notJson = await request.post(path, {
    data: Buffer.from('{"graceHours": 1'),
    headers: { 'content-type': 'application/json' },
  });
  expect(notJson.status()).toBe(400);
  expect(await notJson.json()).toMatchObject({ error: { message: 'Body must be JSON' } });
  const badScheme = await request.post(path, { data: { signing: 'dsa' } });
  expect(badScheme.status()).toBe(400);
  expect(await badScheme.json()).toMatchObject({
    error: { message: expect.stringContaining('signing: must be hmac, ed25519 or both') },
  });
  const keys = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_secrets WHERE subscription_id = $1`,
    [target.subscription.id],
  );
  expect(keys[0]!.n).toBe(1);
});

test('relay.status_changed is offered with its hint, stored when ticked, and unknown types are refused', async ({
  page,
  request,
}) => {
  await page.goto('/admin/webhooks/new');
  await expect(page.getByText('none ticked = all call and CDR events')).toBeVisible();
  const box = page.getByLabel('relay.status_changed', { exact: true });
  await expect(box).toHaveAccessibleDescription('(PBX source went down/up; only sent when chosen)');
  await page.getByLabel('Name').fill('MSP monitoring');
  await page.getByLabel('URL').fill('https://msp.example.com/pbx-link');
  await box.check();
  await page.getByRole('button', { name: 'Create subscription' }).click();
  await expect(page.getByTestId('revealed-secret')).toBeVisible();
  const [sub] = await sql<{ id: string; event_types: string[] }>(
    `SELECT id::text, event_types FROM webhook_subscriptions WHERE name = 'MSP monitoring'`,
  );
  expect(sub!.event_types).toEqual(['relay.status_changed']);

  // the edit form shows the choice ticked
  await page.goto(`/admin/webhooks/${sub!.id}`);
  await expect(page.getByLabel('relay.status_changed', { exact: true })).toBeChecked();
  await expect(page.getByLabel('call.ended', { exact: true })).not.toBeChecked();

  const bad = await request.patch(`/admin/api/webhooks/${sub!.id}`, {
    data: { eventTypes: ['relay.status_change'] },
  });
  expect(bad.status()).toBe(400);
  expect(await bad.text()).toContain('unknown event type \\"relay.status_change\\"');
});

test('endpoint options: extra headers stored encrypted and never shown again; ordering, timeout, concurrency and rate limit edited', async ({
  page,
}) => {
  await page.goto('/admin/webhooks/new');
  await page.getByLabel('Name').fill('Header CRM');
  await page.getByLabel('URL').fill('https://crm.example.com/headers');
  await page.getByLabel('Header field 1').fill('Authorization');
  await page.getByLabel('Header value 1').fill('Bearer crm-secret-token');
  await page.getByRole('button', { name: 'Create subscription' }).click();
  await expect(page.getByTestId('revealed-secret')).toBeVisible();
  const [sub] = await sql<{ id: string; ordering: string }>(
    `SELECT id::text, ordering FROM webhook_subscriptions WHERE name = 'Header CRM'`,
  );
  expect(sub!.ordering).toBe('per-call');
  // the header value is stored encrypted, like the signing secret
  const [header] = await sql<{ name: string; value_ciphertext: string }>(
    `SELECT name, value_ciphertext FROM webhook_headers WHERE subscription_id = $1`,
    [sub!.id],
  );
  expect(header!.name).toBe('authorization');
  expect(header!.value_ciphertext).not.toContain('crm-secret-token');
  expect(openBox(header!.value_ciphertext, stackState().encryptionKey)).toBe('Bearer crm-secret-token');

  await page.goto(`/admin/webhooks/${sub!.id}`);
  // the header's name is listed, its value never reaches the page
  await expect(page.getByTestId('existing-headers')).toContainText('authorization');
  expect(await page.content()).not.toContain('crm-secret-token');
  await page.getByLabel('Ordering').selectOption('none');
  await page.getByLabel('Timeout (ms)').fill('5000');
  await page.getByLabel('Max concurrency').fill('2');
  await page.getByLabel('Rate limit (deliveries/s)').fill('20');
  await page.getByLabel('New value for authorization').fill('Bearer rotated-token');
  await page.getByLabel('Header field 1').fill('X-Tenant');
  await page.getByLabel('Header value 1').fill('acme');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved')).toBeVisible();
  const [edited] = await sql<{
    ordering: string;
    timeout_ms: number;
    max_concurrency: number;
    rate_limit_per_second: number;
  }>(
    `SELECT ordering, timeout_ms, max_concurrency, rate_limit_per_second FROM webhook_subscriptions WHERE id = $1`,
    [sub!.id],
  );
  expect(edited).toEqual({
    ordering: 'none',
    timeout_ms: 5000,
    max_concurrency: 2,
    rate_limit_per_second: 20,
  });
  const headers = await sql<{ name: string; value_ciphertext: string }>(
    `SELECT name, value_ciphertext FROM webhook_headers WHERE subscription_id = $1 ORDER BY name`,
    [sub!.id],
  );
  expect(headers.map((h) => [h.name, openBox(h.value_ciphertext, stackState().encryptionKey)])).toEqual([
    ['authorization', 'Bearer rotated-token'],
    ['x-tenant', 'acme'],
  ]);

  // remove one header: the other stays
  await page.reload();
  await page
    .getByTestId('existing-headers')
    .getByRole('listitem')
    .filter({ hasText: 'x-tenant' })
    .getByLabel('remove')
    .check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved')).toBeVisible();
  const left = await sql<{ name: string }>(`SELECT name FROM webhook_headers WHERE subscription_id = $1`, [
    sub!.id,
  ]);
  expect(left.map((h) => h.name)).toEqual(['authorization']);
});

test('hostile endpoint options get a clear 400 naming the field, and store nothing', async ({ request }) => {
  const before = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_subscriptions`);
  const cases: [Record<string, unknown>, string][] = [
    [
      { headers: { 'x-a': 'v\r\nSet-Cookie: a=b' } },
      'headers.x-a: header value may hold only printable ASCII',
    ],
    [
      { headers: { 'Webhook-Signature': 'v1,forged' } },
      'webhook-signature is set by the relay and cannot be overridden',
    ],
    [{ allowedCidrs: ['10.0.0.0/33'] }, 'allowedCidrs.0: "10.0.0.0/33" is not an IP address or CIDR block'],
    [
      { url: 'http://169.254.169.254/latest/meta-data/', allowedCidrs: ['0.0.0.0/0'] },
      'metadata address and is never allowed',
    ],
    [{ ordering: 'fifo' }, 'ordering: must be per-call or none'],
    [{ timeoutMs: 5 }, 'timeoutMs: Too small'],
    [{ maxConcurrency: 10_000 }, 'maxConcurrency: Too big'],
    [{ rateLimitPerSecond: 'fast' }, 'rateLimitPerSecond: Invalid input'],
  ];
  for (const [fields, message] of cases) {
    const res = await request.post('/admin/api/webhooks', {
      data: { name: 'Hostile options', url: 'https://crm.example.com/h', ...fields },
    });
    expect(res.status(), JSON.stringify(fields)).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(message);
  }
  const after = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_subscriptions`);
  expect(after[0]!.n).toBe(before[0]!.n);
  expect(
    await sql(
      `SELECT 1 FROM webhook_headers h JOIN webhook_subscriptions s ON s.id = h.subscription_id WHERE s.name = 'Hostile options'`,
    ),
  ).toEqual([]);
});

test('the delivery health card shows success rate, latency percentiles and answers for 24 h and 7 days', async ({
  page,
  request,
}) => {
  const res = await request.post('/admin/api/webhooks', {
    data: { name: 'Health CRM', url: 'https://crm.example.com/health' },
  });
  const { subscription } = (await res.json()) as { subscription: { id: string } };
  // 90 fast answers and 10 errors this hour; 100 slower answers three days ago (histogram buckets: 12 = (100, 150] ms)
  const hist = (bucket: number, n: number) =>
    `{${Array.from({ length: 28 }, (_, i) => (i === bucket ? n : 0)).join(',')}}`;
  await sql(
    `INSERT INTO delivery_stats (subscription_id, bucket, outcome, attempts, succeeded, total_ms, latency_histogram) VALUES
       ($1, date_trunc('hour', now()), '200', 90, 90, 360, $2::int[]),
       ($1, date_trunc('hour', now()), '503', 6, 0, 30, $3::int[]),
       ($1, date_trunc('hour', now()), 'timeout', 4, 0, 20000, $4::int[]),
       ($1, date_trunc('hour', now()) - interval '3 days', '200', 100, 100, 12000, $5::int[])`,
    [subscription.id, hist(4, 90), hist(4, 6), hist(27, 4), hist(12, 100)],
  );
  const api = await request.get(`/admin/api/webhooks/${subscription.id}/health`);
  expect(api.status()).toBe(200);
  const health = (await api.json()) as {
    windows: Record<string, { attempts: number; successRate: number; outcomes: unknown[] }>;
    hourly: unknown[];
    daily: unknown[];
  };
  expect(health.windows['24h']).toMatchObject({ attempts: 100, successRate: 0.9 });
  expect(health.windows['7d']).toMatchObject({ attempts: 200, successRate: 0.95 });
  expect(health.windows['24h']!.outcomes).toEqual([
    { outcome: '200', attempts: 90 },
    { outcome: '503', attempts: 6 },
    { outcome: 'timeout', attempts: 4 },
  ]);
  expect(health.hourly).toHaveLength(24);
  expect(health.daily).toHaveLength(7);

  await page.goto(`/admin/webhooks/${subscription.id}`);
  const day = page.getByTestId('health-24 h');
  await expect(day).toContainText('90 %');
  await expect(day).toContainText('90 of 100 attempts');
  await expect(page.getByTestId('outcomes-24 h')).toContainText('200 × 90, 503 × 6, timeout × 4');
  await expect(page.getByTestId('health-7 days')).toContainText('95 %');
  await expect(page.getByRole('figure', { name: 'Latency per hour (24 h)' })).toBeVisible();
  await page.getByRole('figure', { name: 'Attempts per day (7 days)' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'artifacts/webhook-health-desktop-light.png', fullPage: true });
});
