import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSecret, generateWebhookSecret } from '@3cx-relay/events';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness.js';
import { Receiver, makeEvent, waitFor } from './harness.js';

/** Sends a control command the way the admin does: a row plus a NOTIFY. */
async function command(h: WorkerHarness, name: string, args: Record<string, unknown>): Promise<string> {
  const row = await h.pool.query<{ id: string }>(
    `INSERT INTO control_commands (command, args) VALUES ($1, $2) RETURNING id::text`,
    [name, JSON.stringify(args)],
  );
  const id = row.rows[0]!.id;
  await h.pool.query(`SELECT pg_notify('relay_control', $1)`, [JSON.stringify({ id, command: name })]);
  const done = await waitFor(
    async () =>
      (
        await h.pool.query<{ result: string | null }>('SELECT result FROM control_commands WHERE id = $1', [
          id,
        ])
      ).rows[0]?.result,
    (r) => r != null,
  );
  return done!;
}

describe('the worker wires delivery end to end', () => {
  const key = randomBytes(32);
  let h: WorkerHarness;
  let rx: Receiver;
  let secret: string;
  let subId: string;
  beforeAll(async () => {
    h = await startWorkerHarness('wdeliv', {
      RELAY_ENCRYPTION_KEY: key.toString('hex'),
      DELIVERY_RETRY_SCHEDULE: '100ms',
    });
    rx = await new Receiver().start();
    secret = generateWebhookSecret();
    const sub = await h.pool.query<{ id: string }>(
      `INSERT INTO webhook_subscriptions (name, url, allowed_cidrs, event_types) VALUES ('crm', $1, '{127.0.0.0/8}', '{call.*}') RETURNING id::text`,
      [rx.url],
    );
    subId = sub.rows[0]!.id;
    await h.pool.query('INSERT INTO webhook_secrets (subscription_id, ciphertext) VALUES ($1, $2)', [
      subId,
      encryptSecret(secret, key),
    ]);
  });
  afterAll(async () => {
    await rx?.stop();
    await h?.stop();
  });

  it('delivers appended events with the secret the admin stored encrypted', async () => {
    const [ev] = await h.worker.events.append([makeEvent('call.ringing')]);
    const [req] = await waitFor(
      () => rx.received,
      (r) => r.length === 1,
    );
    expect(new Webhook(secret).verify(req!.body, req!.headers as Record<string, string>)).toMatchObject({
      type: 'call.ringing',
    });
    expect(req!.headers['webhook-id']).toBe(ev!.id);
  });

  it('send-test delivers a relay.test event to that subscription', async () => {
    const seen = rx.received.length;
    expect(await command(h, 'send-test', { subscriptionId: subId })).toMatch(/^queued test delivery/);
    await waitFor(
      () => rx.received.length,
      (n) => n === seen + 1,
    );
    expect(JSON.parse(rx.received.at(-1)!.body)).toMatchObject({
      type: 'relay.test',
      data: { subscriptionId: subId },
    });
  });

  it('retry-failed re-sends what failed once the receiver is fixed', async () => {
    rx.respond = () => ({ status: 500 });
    await h.worker.events.append([makeEvent('call.ended')]);
    await waitFor(
      async () =>
        (await h.pool.query(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'failed'`)).rows[0].n,
      (n) => n === 1,
    );
    rx.respond = () => ({ status: 200 });
    expect(await command(h, 'retry-failed', { subscriptionId: subId })).toBe('queued 1 failed deliveries');
    await waitFor(
      async () =>
        (await h.pool.query(`SELECT count(*)::int AS n FROM deliveries WHERE status <> 'succeeded'`)).rows[0]
          .n,
      (n) => n === 0,
    );
  });

  it('writes per-minute stat samples of deliveries and clients', async () => {
    await h.worker.outputs.stats.sample();
    const rows = await h.pool.query<{ metric: string; value: number }>(
      `SELECT metric, value FROM stat_samples ORDER BY metric`,
    );
    const byMetric = Object.fromEntries(rows.rows.map((r) => [r.metric, r.value]));
    expect(byMetric.deliveries_succeeded).toBeGreaterThanOrEqual(3);
    expect(byMetric.deliveries_failed).toBeGreaterThanOrEqual(1);
    expect(byMetric).toHaveProperty('ws_clients', 0);
  });
});
