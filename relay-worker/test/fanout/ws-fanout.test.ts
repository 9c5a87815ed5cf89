import { randomBytes } from 'node:crypto';
import net, { type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiKey } from '../support/api-keys.js';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness.js';
import { makeEvent, waitFor } from '../delivery/harness.js';
import { pruneEvents } from '../../src/delivery/prune-events.js';

type Msg = { kind: string; sequence?: string; type?: string; [k: string]: unknown };

/** A WebSocket client that records every message and its close code. */
function connect(url: string, opts: WebSocket.ClientOptions = {}, protocols?: string[]) {
  const ws = new WebSocket(url, protocols, opts);
  const messages: Msg[] = [];
  const state = { open: false, closeCode: 0, status: 0 };
  ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8')) as Msg));
  ws.on('open', () => (state.open = true));
  ws.on('close', (code) => (state.closeCode = code));
  ws.on('unexpected-response', (_req, res) => {
    state.status = res.statusCode ?? 0;
    ws.terminate();
  });
  ws.on('error', () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error(`closed before open (HTTP ${state.status})`)));
  });
  const events = () => messages.filter((m) => m.kind === 'event');
  return { ws, messages, events, state, opened };
}

describe('WebSocket fan-out /relay/ws', () => {
  let h: WorkerHarness;
  let key: string;
  beforeAll(async () => {
    h = await startWorkerHarness('wsfan');
    key = (await createApiKey(h.pool, ['events:subscribe'])).key;
  });
  afterAll(async () => h?.stop());

  const auth = () => ({ headers: { authorization: `Bearer ${key}` } });
  /** API key checks the worker has finished (any outcome), from its loopback /relay/metrics. */
  const keyChecks = async () => {
    const text = await (await fetch(`${h.worker.url}/relay/metrics`)).text();
    return [...text.matchAll(/^relay_api_key_checks_total\{[^}]*\} (\d+)$/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
  };

  it('refuses the upgrade without a key, with a wrong key, and without events:subscribe', async () => {
    const none = connect(h.wsUrl);
    await expect(none.opened).rejects.toThrow(/HTTP 401/);
    const wrong = connect(h.wsUrl, { headers: { authorization: `Bearer ${key.slice(0, -2)}xx` } });
    await expect(wrong.opened).rejects.toThrow(/HTTP 401/);
    const other = await createApiKey(h.pool, ['calls:read']);
    const scoped = connect(h.wsUrl, { headers: { authorization: `Bearer ${other.key}` } });
    await expect(scoped.opened).rejects.toThrow(/HTTP 403/);
  });

  it('a client that resets the connection while its key is checked does not take the worker down', async () => {
    const { port } = new URL(h.worker.url);
    const checksBefore = await keyChecks();
    const resets = Array.from(
      { length: 5 },
      () =>
        new Promise<void>((resolve) => {
          const s = net.connect(Number(port), '127.0.0.1', () => {
            // a known prefix with a wrong secret: the worker runs bcrypt before it answers
            s.write(
              `GET /relay/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
                `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
                `Authorization: Bearer ${key.slice(0, -2)}xx\r\n\r\n`,
              () => s.resetAndDestroy(),
            );
          });
          s.on('error', () => undefined);
          s.on('close', () => resolve());
        }),
    );
    await Promise.all(resets);
    // every refused upgrade was answered (or its write failed) after the key check
    await waitFor(keyChecks, (n) => n >= checksBefore + 5);
    const health = await fetch(`${h.worker.url}/relay/health`);
    expect(health.status).toBe(200);
    const ok = connect(h.wsUrl, auth());
    await ok.opened;
    ok.ws.close();
  });

  it('accepts the key as a header, a subprotocol (browsers) or ?access_token=', async () => {
    const a = connect(h.wsUrl, auth());
    const b = connect(h.wsUrl, {}, ['relay.v1', key]);
    const c = connect(`${h.wsUrl}?access_token=${encodeURIComponent(key)}`);
    await Promise.all([a.opened, b.opened, c.opened]);
    expect(b.ws.protocol).toBe('relay.v1');
    await waitFor(() => [a, b, c].every((x) => x.messages[0]?.kind === 'hello'), Boolean);
    for (const x of [a, b, c]) x.ws.close();
  });

  it('refuses a key more than WS_MAX_CONNECTIONS_PER_KEY open connections (429), even in a parallel burst, and frees a slot on close', async () => {
    const limited = await startWorkerHarness('wslimit', { WS_MAX_CONNECTIONS_PER_KEY: '3' });
    try {
      const k = await createApiKey(limited.pool, ['events:subscribe']);
      const opts = { headers: { authorization: `Bearer ${k.key}` } };
      const burst = Array.from({ length: 8 }, () => connect(limited.wsUrl, opts));
      const results = await Promise.allSettled(burst.map((c) => c.opened));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect(burst.filter((c) => c.state.status === 429)).toHaveLength(5);
      const open = burst.filter((c) => c.state.open);
      // SSE streams share the key's budget.
      const sse = await fetch(`${limited.worker.url}/relay/events/stream?snapshot=false`, opts);
      expect(sse.status).toBe(429);
      await sse.arrayBuffer();
      open[0]!.ws.close();
      await waitFor(() => open[0]!.state.closeCode, Boolean);
      const again = connect(limited.wsUrl, opts);
      await again.opened;
      for (const c of [...open, again]) c.ws.close();
    } finally {
      await limited.stop();
    }
  });

  it('sends every matching client each event with its sequence, and honours per-connection filters', async () => {
    const all = connect(h.wsUrl, auth());
    const filtered = connect(`${h.wsUrl}?types=call.ended,cdr.*&extensions=201`, auth());
    await Promise.all([all.opened, filtered.opened]);
    const stored = await h.worker.events.append([
      makeEvent('call.ended', { extensions: ['201'] }),
      makeEvent('call.ended', { extensions: ['999'] }),
      makeEvent('call.ringing', { extensions: ['201'] }),
      makeEvent('cdr.created', { extensions: ['201'] }),
    ]);
    await waitFor(
      () => all.events().length,
      (n) => n === 4,
    );
    expect(all.events().map((m) => m.sequence)).toEqual(stored.map((e) => e.sequence.toString()));
    expect(all.events()[0]).toMatchObject({
      kind: 'event',
      id: stored[0]!.id,
      type: 'call.ended',
      schemaVersion: 1,
      extensions: ['201'],
    });
    await waitFor(
      () => filtered.events().length,
      (n) => n === 2,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(filtered.events().map((m) => m.type)).toEqual(['call.ended', 'cdr.created']);
    all.ws.close();
    filtered.ws.close();
  });

  it('resumes from ?since= without gaps or repeats, then continues live', async () => {
    const before = await h.worker.events.append([
      makeEvent('call.ringing'),
      makeEvent('call.answered'),
      makeEvent('call.ended'),
    ]);
    const since = before[0]!.sequence;
    const c = connect(`${h.wsUrl}?since=${since}`, auth());
    await c.opened;
    await waitFor(() => c.messages.some((m) => m.kind === 'resumed'), Boolean);
    const live = await h.worker.events.append([makeEvent('call.missed')]);
    await waitFor(
      () => c.events().length,
      (n) => n === 3,
    );
    const seqs = c.events().map((m) => m.sequence);
    expect(seqs).toEqual([before[1]!.sequence, before[2]!.sequence, live[0]!.sequence].map(String));
    expect(c.messages.find((m) => m.kind === 'resumed')).toMatchObject({ since: String(since), replayed: 2 });
    c.ws.close();
  });

  it('replays in sequence order across a change of digit count (99 → 100), not in text order', async () => {
    // The event columns select `sequence::text`: an ORDER BY on that name sorted "100" before "99".
    await h.pool.query("SELECT setval(pg_get_serial_sequence('events', 'sequence'), 97)");
    const appended = await h.worker.events.append(Array.from({ length: 6 }, () => makeEvent('call.ringing')));
    expect(appended.map((e) => String(e.sequence))).toEqual(['98', '99', '100', '101', '102', '103']);
    const c = connect(`${h.wsUrl}?since=97`, auth());
    await c.opened;
    await waitFor(() => c.messages.some((m) => m.kind === 'resumed'), Boolean);
    expect(c.events().map((m) => m.sequence)).toEqual(['98', '99', '100', '101', '102', '103']);
    c.ws.close();
  });

  it('does not call a sequence gap "history lost" when no event was ever pruned (rolled-back appends)', async () => {
    const before = await h.worker.events.append([makeEvent('call.ringing')]);
    await h.pool.query("BEGIN; SELECT nextval(pg_get_serial_sequence('events', 'sequence')); ROLLBACK");
    await h.worker.events.append([makeEvent('call.ringing')]);
    const c = connect(`${h.wsUrl}?since=${before[0]!.sequence}`, auth());
    await c.opened;
    await waitFor(() => c.messages.some((m) => m.kind === 'resumed'), Boolean);
    expect(c.messages.filter((m) => m.kind === 'history_lost')).toEqual([]);
    expect(c.events()).toHaveLength(1);
    c.ws.close();
  });

  it('hello names the last sequence the client will not receive live, so it can resume before its first event', async () => {
    const [last] = await h.worker.events.append([makeEvent('call.ringing')]);
    await new Promise((r) => setTimeout(r, 50));
    const c = connect(h.wsUrl, auth());
    await c.opened;
    await waitFor(
      () => c.messages[0]?.kind,
      (k) => k === 'hello',
    );
    expect(BigInt(c.messages[0]!.lastSequence as string)).toBeGreaterThanOrEqual(last!.sequence);
    c.ws.close();
    const [missed] = await h.worker.events.append([makeEvent('call.missed')]);
    const again = connect(`${h.wsUrl}?since=${c.messages[0]!.lastSequence as string}`, auth());
    await again.opened;
    await waitFor(() => again.messages.some((m) => m.kind === 'resumed'), Boolean);
    expect(again.events().map((m) => m.sequence)).toContain(String(missed!.sequence));
    again.ws.close();
  });

  it('says explicitly when history after ?since= is gone (beyond retention)', async () => {
    const gone = await h.worker.events.append([makeEvent('call.ringing'), makeEvent('call.ringing')]);
    await h.pool.query(`UPDATE events SET created_at = now() - interval '400 days' WHERE sequence <= $1`, [
      gone[0]!.sequence.toString(),
    ]);
    await h.pool.query(`UPDATE deliveries SET status = 'failed' WHERE event_sequence <= $1`, [
      gone[0]!.sequence.toString(),
    ]);
    await pruneEvents(h.pool, 30 * 86_400_000);
    const c = connect(`${h.wsUrl}?since=0`, auth());
    await c.opened;
    await waitFor(() => c.messages.some((m) => m.kind === 'resumed'), Boolean);
    const lost = c.messages.find((m) => m.kind === 'history_lost');
    expect(lost).toMatchObject({ since: '0', prunedThrough: gone[0]!.sequence.toString() });
    expect(BigInt(lost!.oldestAvailable as string)).toBeGreaterThan(gone[0]!.sequence);
    expect(c.messages.findIndex((m) => m.kind === 'history_lost')).toBeLessThan(
      c.messages.findIndex((m) => m.kind === 'event'),
    );
    c.ws.close();
  });

  it('cuts a slow consumer (over 1 MiB buffered) with close code 4008 and counts it', async () => {
    const slow = connect(h.wsUrl, auth());
    const fast = connect(h.wsUrl, auth());
    await Promise.all([slow.opened, fast.opened]);
    await waitFor(
      () => slow.messages.length,
      (n) => n === 1,
    );
    const sock = (slow.ws as unknown as { _socket: Socket })._socket;
    sock.pause();
    // Loopback kernel buffers absorb several MB before the server's own buffer grows.
    // Events of 16 KB keep the fast client (read by this same process) far below the limit.
    const big = 'x'.repeat(16 * 1024);
    let sent = 0;
    while (h.worker.outputs.metrics.totals.wsSlowDisconnects === 0 && sent < 2000) {
      const batch = Array.from({ length: 25 }, () =>
        Object.assign(makeEvent('call.ringing'), { data: { big } }),
      );
      await h.worker.events.append(batch);
      sent += batch.length;
    }
    expect(h.worker.outputs.metrics.totals.wsSlowDisconnects).toBe(1);
    sock.resume();
    await waitFor(
      () => slow.state.closeCode,
      (c) => c !== 0,
      20_000,
    );
    expect(slow.state.closeCode).toBe(4008);
    await waitFor(
      () => fast.events().length,
      (n) => n === sent || fast.state.closeCode !== 0,
      20_000,
    );
    expect(fast.state.closeCode).toBe(0);
    expect(fast.events()).toHaveLength(sent);
    expect(h.worker.outputs.metrics.totals.wsSlowDisconnects).toBe(1);
    fast.ws.close();
  });
});

describe('WebSocket heartbeat', () => {
  let h: WorkerHarness;
  let key: string;
  beforeAll(async () => {
    h = await startWorkerHarness('wsping', { WS_PING_INTERVAL_MS: '300' });
    key = (await createApiKey(h.pool, ['events:subscribe'])).key;
  });
  afterAll(async () => h?.stop());

  it('pings and terminates a peer that stops answering', async () => {
    const silent = connect(h.wsUrl, { headers: { authorization: `Bearer ${key}` }, autoPong: false });
    const alive = connect(h.wsUrl, { headers: { authorization: `Bearer ${key}` } });
    await Promise.all([silent.opened, alive.opened]);
    let pings = 0;
    alive.ws.on('ping', () => pings++);
    await waitFor(
      () => silent.state.closeCode,
      (c) => c !== 0,
      20_000,
    ); // ping every 300 ms in this test
    expect(silent.state.closeCode).toBe(1006); // terminated, no close frame
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    alive.ws.close();
  });
});

describe('WebSocket shutdown', () => {
  it('closes clients with 1001 when the worker stops', async () => {
    const h = await startWorkerHarness('wsstop');
    let stopped = false;
    try {
      const { key } = await createApiKey(h.pool, ['events:subscribe']);
      const c = connect(h.wsUrl, { headers: { authorization: `Bearer ${key}` } });
      await c.opened;
      await h.worker.stop();
      stopped = true;
      await waitFor(
        () => c.state.closeCode,
        (code) => code !== 0,
      );
      expect(c.state.closeCode).toBe(1001);
    } finally {
      if (!stopped) await h.worker.stop();
      await h.pool.end();
      await h.t.drop();
    }
  });
});
