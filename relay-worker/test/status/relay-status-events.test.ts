import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encryptSecret, eventId, generateWebhookSecret } from '@3cx-relay/events';
import { createApiKey } from '../support/api-keys.js';
import { Receiver, makeEvent, silent } from '../delivery/harness.js';
import { startHarness, until, type Harness } from '../sources/sim-harness.js';
import { StatusChangeEvents, statusChangedEvent } from '../../src/status/status-change-events.js';

type Msg = { kind: string; type?: string; id?: string; data?: Record<string, unknown> };

/** A WebSocket client on the worker that records every message. */
async function listen(
  url: string,
  key: string,
): Promise<{ ws: WebSocket; events: () => Msg[]; resumed: () => boolean }> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
  const messages: Msg[] = [];
  ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8')) as Msg));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await until(() => messages[0]?.kind === 'hello', 20_000, 'hello');
  return {
    ws,
    events: () => messages.filter((m) => m.kind === 'event'),
    resumed: () => messages.some((m) => m.kind === 'resumed'),
  };
}

async function subscribe(pool: pg.Pool, url: string, key: Buffer, eventTypes: string[]) {
  const secret = generateWebhookSecret();
  const sub = await pool.query<{ id: string }>(
    `INSERT INTO webhook_subscriptions (name, url, allowed_cidrs, event_types)
     VALUES ($1, $2, '{127.0.0.0/8}', $3) RETURNING id::text`,
    [`sub ${eventTypes.join(',') || 'all'}`, url, eventTypes],
  );
  await pool.query('INSERT INTO webhook_secrets (subscription_id, ciphertext) VALUES ($1, $2)', [
    sub.rows[0]!.id,
    encryptSecret(secret, key),
  ]);
  return secret;
}

describe('relay.status_changed when the Call Control link breaks and comes back', () => {
  const key = randomBytes(32);
  let h: Harness;
  let pool: pg.Pool;
  const chosen = new Receiver();
  const unfiltered = new Receiver();
  const star = new Receiver();
  let chosenSecret: string;
  let tracker: StatusChangeEvents;

  beforeAll(async () => {
    h = await startHarness('rstat', { seed: 5 });
    const w = await h.startWorker({
      RELAY_ENCRYPTION_KEY: key.toString('hex'),
      DELIVERY_POLL_MS: '50',
      DELIVERY_RETRY_SCHEDULE: '100ms',
    });
    pool = w.pool;
    // The worker's own components as main.ts wires them: the store, its outbox and the hub.
    tracker = new StatusChangeEvents(w.pool, w.events, silent);
    await tracker.load();
    tracker.attach(w.status);
    await until(() => w.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
    for (const rx of [chosen, unfiltered, star]) await rx.start();
    chosenSecret = await subscribe(pool, chosen.url, key, ['relay.status_changed']);
    await subscribe(pool, unfiltered.url, key, []);
    await subscribe(pool, star.url, key, ['*']);
  });
  afterAll(async () => {
    await tracker?.stop();
    for (const rx of [chosen, unfiltered, star]) await rx.stop();
    await h?.stop();
  });

  it('sends up→down then down→up only to subscriptions and WS clients that chose relay events', async () => {
    const w = h.worker!;
    // Start-up (connecting → up) is not a change worth an event.
    expect(await h.events(`type = 'relay.status_changed'`)).toEqual([]);
    const apiKey = (await createApiKey(pool, ['events:subscribe'])).key;
    const wsUrl = w.url.replace(/^http/, 'ws') + '/relay/ws';
    const relayWs = await listen(`${wsUrl}?types=relay.*`, apiKey);
    const allWs = await listen(wsUrl, apiKey);

    await h.sim.faults.set({ dropWebSockets: true, refuseWebSockets: true });
    await until(() => w.status.get('callcontrol')?.status === 'down', 20_000, 'callcontrol down');
    await h.sim.faults.clear();
    await until(() => w.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up again');
    await tracker.idle();

    const rows = await h.events(`type = 'relay.status_changed'`);
    expect(rows.map((r) => r.data)).toEqual([
      {
        component: 'callcontrol',
        from: 'up',
        to: 'down',
        error: expect.stringMatching(/^WebSocket: /) as string,
        at: expect.any(String) as string,
      },
      { component: 'callcontrol', from: 'down', to: 'up', error: null, at: expect.any(String) as string },
    ]);
    // The id depends only on the component, the time and the new state: stable across retries.
    for (const r of rows)
      expect(r.id).toBe(
        eventId('relay.status_changed', 'callcontrol', `${r.data.at as string}|${r.data.to as string}`),
      );

    await until(() => chosen.received.length >= 2, 20_000, 'two deliveries to the chosen subscription');
    const wh = new Webhook(chosenSecret);
    const bodies = chosen.received.map((r) => wh.verify(r.body, r.headers as Record<string, string>));
    expect(bodies).toEqual([
      { type: 'relay.status_changed', timestamp: rows[0]!.data.at, data: rows[0]!.data },
      { type: 'relay.status_changed', timestamp: rows[1]!.data.at, data: rows[1]!.data },
    ]);
    expect(chosen.received.map((r) => r.headers['webhook-id'])).toEqual(rows.map((r) => r.id));
    await until(() => relayWs.events().length >= 2, 20_000, 'two WS messages for types=relay.*');
    expect(relayWs.events().map((m) => [m.id, m.type])).toEqual(
      rows.map((r) => [r.id, 'relay.status_changed']),
    );

    // A call event after them reaches the unfiltered and `*` subscriptions and the unfiltered
    // WS client: by then they would have had the status events too, had they been sent.
    const [call] = await w.events.append([makeEvent('call.ringing', { extensions: [] })]);
    await until(() => unfiltered.received.length >= 1 && star.received.length >= 1, 20_000, 'call delivered');
    await until(() => allWs.events().length >= 1, 20_000, 'call on the unfiltered WS');
    for (const rx of [unfiltered, star])
      expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([call!.id]);
    expect(allWs.events().map((m) => m.id)).toEqual([call!.id]);
    expect(relayWs.events()).toHaveLength(2);
    relayWs.ws.close();
    allWs.ws.close();

    // Resuming from the start replays the same choice.
    const replayAll = await listen(`${wsUrl}?since=0`, apiKey);
    const replayRelay = await listen(`${wsUrl}?since=0&types=relay.*`, apiKey);
    await until(() => replayAll.resumed() && replayRelay.resumed(), 20_000, 'replays done');
    expect(replayAll.events().map((m) => m.id)).toEqual([call!.id]);
    expect(replayRelay.events().map((m) => m.id)).toEqual(rows.map((r) => r.id));
    replayAll.ws.close();
    replayRelay.ws.close();
  });

  it('an append repeated with the same transition is dropped, not doubled', async () => {
    const rows = await h.events(`type = 'relay.status_changed'`);
    const again = rows.map((r) =>
      statusChangedEvent(
        'callcontrol',
        r.data.from as 'up' | 'down',
        r.data.to as 'up' | 'down',
        (r.data.error as string | null) ?? undefined,
        new Date(r.data.at as string),
      ),
    );
    expect(again.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    expect(await h.worker!.events.append(again)).toEqual([]);
    expect(await h.events(`type = 'relay.status_changed'`)).toHaveLength(2);
  });
});
