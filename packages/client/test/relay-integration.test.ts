import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayEvent } from '@3cx-relay/events';
import { RelayApiError, RelayClient, RelayEventStream } from '../src/index.js';
import { ringing } from './support/valid-events.js';
import { startRelay, until, type RunningRelay } from './support/relay-worker.js';

describe('RelayEventStream against the real worker', () => {
  let relay: RunningRelay;
  let key: string;
  beforeAll(async () => {
    relay = await startRelay('client_stream');
    key = await relay.createKey(['events:subscribe', 'calls:read', 'history:read']);
  });
  afterAll(async () => relay?.stop());

  it('receives appended events, survives a server-side kill and resumes with no loss and no duplicate', async () => {
    // Reconnect after 500–1000 ms, so the appends below surely land while the client is away.
    const stream = new RelayEventStream({
      baseUrl: relay.worker.url,
      apiKey: key,
      reconnect: { initialDelayMs: 1000, maxDelayMs: 1000 },
    });
    const got: RelayEvent[] = [];
    stream.on('event', (e) => got.push(e));
    const disconnects: number[] = [];
    stream.on('disconnect', (d) => disconnects.push(d.code));
    await new Promise((resolve) => stream.once('open', resolve));

    const before = await relay.worker.events.append([ringing(), ringing(), ringing()]);
    await until(() => got.length === 3);

    // Kill every server-side socket (no close frame), then append while the client is away.
    const dropped = new Promise((resolve) => stream.once('disconnect', resolve));
    const resumed = new Promise<{ since: string; replayed: number }>((resolve) =>
      stream.once('resumed', resolve),
    );
    for (const c of relay.worker.outputs.hub.clients) c.transport.terminate();
    await dropped;
    const during = await relay.worker.events.append([ringing('102'), ringing('103')]);
    expect(stream.connected).toBe(false);
    await until(() => got.length === 5);
    expect(await resumed).toMatchObject({ since: before[2]!.sequence.toString(), replayed: 2 });
    const after = await relay.worker.events.append([ringing('104')]);
    await until(() => got.length === 6);
    await new Promise((r) => setTimeout(r, 100)); // room for a stray duplicate to show up

    const expected = [...before, ...during, ...after];
    expect(got.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(got.map((e) => e.sequence)).toEqual(expected.map((e) => e.sequence.toString()));
    expect(disconnects).toEqual([1006]);
    expect(stream.sequence).toBe(after[0]!.sequence.toString());
    await stream.close();
  });

  it('applies filters on the relay and iterates with for await', async () => {
    const stream = new RelayEventStream({
      baseUrl: relay.worker.url,
      apiKey: key,
      filter: { extensions: ['777'] },
    });
    await new Promise((resolve) => stream.once('open', resolve));
    const wanted = await relay.worker.events.append([
      ringing('101'),
      ringing('777'),
      ringing('102'),
      ringing('777'),
    ]);
    const ids: string[] = [];
    for await (const item of stream) {
      if (item.kind === 'event') ids.push(item.event.id);
      if (ids.length === 2) break;
    }
    expect(ids).toEqual([wanted[1]!.id, wanted[3]!.id]);
    await stream.close();
  });

  it('passes a department filter to the relay (a name with a space included)', async () => {
    const stream = new RelayEventStream({
      baseUrl: relay.worker.url,
      apiKey: key,
      filter: { departments: ['Hotline CH', '__DEFAULT__'] },
    });
    await new Promise((resolve) => stream.once('open', resolve));
    const wanted = await relay.worker.events.append([
      { ...ringing('101'), departments: ['Sales'] },
      { ...ringing('046'), departments: ['Hotline CH'] },
      { ...ringing('046'), departments: ['Hotline'] },
      ringing('102'),
      { ...ringing('100'), departments: ['__DEFAULT__'] },
    ]);
    const ids: string[] = [];
    for await (const item of stream) {
      if (item.kind === 'event') ids.push(item.event.id);
      if (ids.length === 2) break;
    }
    expect(ids).toEqual([wanted[1]!.id, wanted[4]!.id]);
    await stream.close();
  });

  it('ends with a fatal unauthorized error for a wrong key', async () => {
    const stream = new RelayEventStream({ baseUrl: relay.worker.url, apiKey: `${key.split('.')[0]}.wrong` });
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toMatchObject({ code: 'unauthorized', fatal: true });
  });

  it('RelayClient returns typed REST results and the relay’s error codes', async () => {
    const client = new RelayClient({ baseUrl: `${relay.worker.url}/relay/`, apiKey: key });
    // No Call Control and no XAPI in this worker: active calls answer 503 UNAVAILABLE too.
    await expect(client.activeCalls()).rejects.toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    // No XAPI source in this worker: the relay answers 503 UNAVAILABLE.
    await expect(
      client.callHistory({ from: new Date(Date.now() - 3600_000), limit: 10 }),
    ).rejects.toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    await expect(client.callHistory({ limit: 5000 })).rejects.toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    const err = await new RelayClient({ baseUrl: relay.worker.url, apiKey: 'rk_000000000000.nope' })
      .activeCalls()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RelayApiError);
    expect(err).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    const eventsOnly = await relay.createKey(['events:subscribe']);
    await expect(
      new RelayClient({ baseUrl: relay.worker.url, apiKey: eventsOnly }).activeCalls(),
    ).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('RelayClient reports a refused connection as NETWORK_ERROR', async () => {
    const client = new RelayClient({ baseUrl: 'http://127.0.0.1:9', apiKey: key, timeoutMs: 2000 });
    await expect(client.activeCalls()).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
  });
});
