import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRUNED_THROUGH_CURSOR } from '../../../relay-worker/src/delivery/prune-events.js';
import { createApiKey } from '../../../relay-worker/test/support/api-keys.js';
import { startHarness, until, type Harness } from '../../../relay-worker/test/sources/sim-harness.js';
import { RelayEventStream, type StreamItem } from '../src/index.js';

describe('RelayEventStream with snapshot: true against the relay and the simulator', () => {
  let h: Harness;
  let stream: RelayEventStream;
  const items: StreamItem[] = [];
  const kill = () => {
    for (const c of h.worker!.outputs.hub.clients) c.transport.terminate();
  };

  beforeAll(async () => {
    h = await startHarness('clientsnap');
    const w = await h.startWorker();
    await until(() => w.status.get('callcontrol')?.status === 'up', 8000, 'callcontrol up');
    const key = (await createApiKey(w.pool, ['events:subscribe'])).key;
    stream = new RelayEventStream({
      baseUrl: w.url,
      apiKey: key,
      snapshot: true,
      reconnect: { initialDelayMs: 50 },
    });
    stream.on('snapshot', (snapshot) => items.push({ kind: 'snapshot', snapshot }));
    stream.on('event', (event) => items.push({ kind: 'event', event }));
    stream.on('historyLost', (info) => items.push({ kind: 'historyLost', info }));
  });
  afterAll(async () => {
    await stream?.close();
    await h?.stop();
  });

  it('starts with a snapshot, then the events after its sequence', async () => {
    await until(() => items.length > 0, 10_000, 'snapshot');
    expect(items[0]!.kind).toBe('snapshot');
    await h.sim.runScenario('internal');
    await until(
      () => items.some((i) => i.kind === 'event' && i.event.type === 'call.ended'),
      10_000,
      'call.ended',
    );
    const at = BigInt((items[0] as { snapshot: { sequence: string } }).snapshot.sequence);
    for (const i of items.slice(1)) if (i.kind === 'event') expect(BigInt(i.event.sequence) > at).toBe(true);
  });

  it('after a drop it resumes by sequence, without a second snapshot and without duplicates', async () => {
    const before = items.length;
    kill();
    await h.sim.runScenario('internal');
    await until(
      () =>
        items.slice(before).filter((i) => i.kind === 'event' && i.event.type === 'call.ended').length === 1,
      15_000,
      'resumed call.ended',
    );
    expect(items.slice(before).map((i) => i.kind)).not.toContain('snapshot');
    const ids = items.flatMap((i) => (i.kind === 'event' ? [i.event.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when the relay can no longer replay the gap, reports it and starts over with a fresh snapshot', async () => {
    const before = items.length;
    // Pretend retention removed everything after the stream's position.
    await h.worker!.pool.query(
      `INSERT INTO source_cursors (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
      [PRUNED_THROUGH_CURSOR, { sequence: String(BigInt(stream.sequence!) + 1000n) }],
    );
    kill();
    await until(() => items.slice(before).some((i) => i.kind === 'snapshot'), 15_000, 'fresh snapshot');
    expect(
      items
        .slice(before)
        .map((i) => i.kind)
        .slice(0, 2),
    ).toEqual(['historyLost', 'snapshot']);
  });
});
