import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { RelayEventStream, type RelayStreamError, type StreamItem } from '../src/index.js';
import { ringingWire } from './support/valid-events.js';

/** A scripted relay on 127.0.0.1: `onConnection(ws, req, n)` plays the server side of connection n. */
async function scriptedRelay(onConnection: (ws: WebSocket, req: IncomingMessage, n: number) => void) {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/relay/ws',
    handleProtocols: () => 'relay.v1',
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const requests: IncomingMessage[] = [];
  wss.on('connection', (ws, req) => {
    requests.push(req);
    onConnection(ws, req, requests.length);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => wss.close(() => r())),
  };
}

const hello = JSON.stringify({
  kind: 'hello',
  keyPrefix: 'rk_000000000000',
  filter: 'all',
  pingIntervalMs: 25_000,
});
const send = (ws: WebSocket, e: object) => ws.send(JSON.stringify({ kind: 'event', ...e }));
const fast = { initialDelayMs: 20, maxDelayMs: 100 };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('RelayEventStream against a scripted relay', () => {
  it('sends the key as a Bearer header, filters as query parameters, and resumes with since=<last sequence>', async () => {
    const [e1, e2, e3] = [ringingWire(11), ringingWire(12), ringingWire(13)];
    const relay = await scriptedRelay((ws, _req, n) => {
      ws.send(hello);
      if (n === 1) {
        send(ws, e1);
        send(ws, e2);
        setTimeout(() => ws.terminate(), 50);
      } else {
        send(ws, e2); // overlap on resume: must not be delivered twice
        send(ws, e3);
        ws.send(JSON.stringify({ kind: 'resumed', since: '12', replayed: 2, lastSequence: '13' }));
      }
    });
    cleanup.push(relay.close);
    const stream = new RelayEventStream({
      baseUrl: relay.baseUrl,
      apiKey: 'rk_abc.secret',
      filter: { types: ['call.*'], extensions: ['101', '102'] },
      reconnect: fast,
    });
    cleanup.push(() => stream.close());
    const got: string[] = [];
    for await (const item of stream) {
      if (item.kind === 'event') got.push(item.event.id);
      if (got.length === 3) break;
    }
    expect(got).toEqual([e1.id, e2.id, e3.id]);
    expect(relay.requests[0]!.headers.authorization).toBe('Bearer rk_abc.secret');
    const first = new URL(relay.requests[0]!.url!, 'http://x');
    expect(Object.fromEntries(first.searchParams)).toEqual({ types: 'call.*', extensions: '101,102' });
    expect(new URL(relay.requests[1]!.url!, 'http://x').searchParams.get('since')).toBe('12');
    expect(stream.sequence).toBe('13');
  });

  it('passes the relay’s history_lost on, in order, before the replayed events', async () => {
    const e = ringingWire(500);
    const relay = await scriptedRelay((ws) => {
      ws.send(hello);
      ws.send(
        JSON.stringify({ kind: 'history_lost', since: '7', oldestAvailable: '480', retentionDays: 30 }),
      );
      send(ws, e);
    });
    cleanup.push(relay.close);
    const stream = new RelayEventStream({ baseUrl: relay.baseUrl, apiKey: 'k', since: 7n, reconnect: fast });
    cleanup.push(() => stream.close());
    const items: StreamItem[] = [];
    for await (const item of stream) if (items.push(item) === 2) break;
    expect(items[0]).toEqual({
      kind: 'historyLost',
      info: { reason: 'beyond_retention', since: '7', oldestAvailable: '480', retentionDays: 30 },
    });
    expect(items[1]).toMatchObject({ kind: 'event', event: { id: e.id } });
    expect(new URL(relay.requests[0]!.url!, 'http://x').searchParams.get('since')).toBe('7');
  });

  it('reconnects after 1001 and 4008, but stops with a fatal error on 4001 (key revoked)', async () => {
    const relay = await scriptedRelay((ws, _req, n) => {
      ws.send(hello);
      ws.close(n === 1 ? 1001 : n === 2 ? 4008 : 4001, 'bye');
    });
    cleanup.push(relay.close);
    const stream = new RelayEventStream({ baseUrl: relay.baseUrl, apiKey: 'k', reconnect: fast });
    const codes: number[] = [];
    stream.on('disconnect', (d) => codes.push(d.code));
    const errors: RelayStreamError[] = [];
    stream.on('error', (err) => errors.push(err));
    const iterate = (async () => {
      for await (const _ of stream) void _;
    })();
    await expect(iterate).rejects.toMatchObject({ code: 'revoked', fatal: true });
    expect(codes).toEqual([1001, 4008]);
    expect(errors.map((e) => e.code)).toEqual(['revoked']);
    expect(stream.error?.code).toBe('revoked');
  });

  it('says history is lost when it drops before learning any sequence', async () => {
    const relay = await scriptedRelay((ws, _req, n) => {
      ws.send(hello);
      if (n === 1) setTimeout(() => ws.terminate(), 20);
    });
    cleanup.push(relay.close);
    const stream = new RelayEventStream({ baseUrl: relay.baseUrl, apiKey: 'k', reconnect: fast });
    cleanup.push(() => stream.close());
    const lost = await new Promise((resolve) => stream.once('historyLost', resolve));
    expect(lost).toMatchObject({ reason: 'position_unknown', since: null });
  });

  it('skips an invalid event with a non-fatal error and keeps going', async () => {
    const good = ringingWire(2);
    const relay = await scriptedRelay((ws) => {
      ws.send(hello);
      send(ws, { ...ringingWire(1), data: { nonsense: true } });
      ws.send('{not json');
      send(ws, good);
    });
    cleanup.push(relay.close);
    const stream = new RelayEventStream({ baseUrl: relay.baseUrl, apiKey: 'k', reconnect: fast });
    cleanup.push(() => stream.close());
    const errors: string[] = [];
    stream.on('error', (err) => errors.push(err.code));
    const event = await new Promise((resolve) => stream.once('event', resolve));
    expect(event).toMatchObject({ id: good.id });
    expect(errors).toEqual(['malformed_message', 'malformed_message']);
  });

  it('keeps what arrives before the first iterator for it, unless an event listener took it', async () => {
    const [e1, e2, e3] = [ringingWire(21), ringingWire(22), ringingWire(23)];
    let server: WebSocket | undefined;
    const relay = await scriptedRelay((ws) => {
      server = ws;
      ws.send(hello);
      send(ws, e1);
      send(ws, e2);
    });
    cleanup.push(relay.close);
    const until = async (ok: () => boolean) => {
      const end = Date.now() + 20_000; // a deadline, not a number of turns: a busy machine is slow
      while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(ok()).toBe(true);
    };
    // No listener, no iterator yet: both events wait for the first iterator.
    const late = new RelayEventStream({ baseUrl: relay.baseUrl, apiKey: 'k' });
    cleanup.push(() => late.close());
    await until(() => late.sequence === '22');
    const ids: string[] = [];
    const iterating = (async () => {
      for await (const item of late) {
        if (item.kind === 'event') ids.push(item.event.id);
        if (ids.length === 3) break;
      }
    })();
    send(server!, e3);
    await iterating;
    expect(ids).toEqual([e1.id, e2.id, e3.id]);

    // With an `event` listener the listener has them; an iterator made later starts from then on.
    const listened = new RelayEventStream({ baseUrl: relay.baseUrl, apiKey: 'k' });
    cleanup.push(() => listened.close());
    const heard: string[] = [];
    listened.on('event', (e) => heard.push(e.id));
    await until(() => heard.length === 2);
    const it2 = listened[Symbol.asyncIterator]();
    send(server!, e3);
    expect((await it2.next()).value).toMatchObject({ kind: 'event', event: { id: e3.id } });
    expect(heard).toEqual([e1.id, e2.id, e3.id]);
  });

  it('close() ends a pending iterator and resolves once closed', async () => {
    const relay = await scriptedRelay((ws) => ws.send(hello));
    cleanup.push(relay.close);
    const stream = new RelayEventStream({ baseUrl: relay.baseUrl, apiKey: 'k' });
    await new Promise((resolve) => stream.once('open', resolve));
    const next = stream[Symbol.asyncIterator]().next();
    let closedEvent = false;
    stream.on('close', () => (closedEvent = true));
    await stream.close();
    expect(await next).toEqual({ value: undefined, done: true });
    expect(closedEvent).toBe(true);
    expect(stream.connected).toBe(false);
  });
});
