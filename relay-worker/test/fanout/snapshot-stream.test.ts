import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  eventJsonSchema,
  snapshotMessageSchema,
  toJsonSchema,
  type EventType,
} from '@3cx-relay/events';
import { matchesFilter, MATCH_ALL, type EventFilter } from '../../src/delivery/event-filter.js';
import { createApiKey } from '../support/api-keys.js';
import {
  collectSse,
  collectWs,
  type CollectingClient,
  type StreamMessage,
} from '../support/stream-clients.js';
import { startHarness, until, type Harness } from '../sources/sim-harness.js';

const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);
for (const t of EVENT_TYPES) ajv.addSchema(eventJsonSchema(t));
const validateSnapshot = ajv.compile(toJsonSchema(snapshotMessageSchema));

interface Row {
  sequence: string;
  id: string;
  type: string;
  call_id: string | null;
  extensions: string[];
  dids: string[];
  queues: string[];
}

const LIVE = ['call.ringing', 'call.answered', 'call.transferred', 'call.ended', 'call.missed'];

describe('snapshot, then the events after it (simulator placing calls while clients connect)', () => {
  let h: Harness;
  let key: string;
  const clients: { name: string; c: CollectingClient; filter: EventFilter }[] = [];
  let rows: Row[] = [];

  beforeAll(async () => {
    h = await startHarness('snap', { seed: 11 });
    const w = await h.startWorker();
    await until(() => w.status.get('callcontrol')?.status === 'up', 8000, 'callcontrol up');
    key = (await createApiKey(w.pool, ['events:subscribe'])).key;
    const ws = w.url.replace(/^http/, 'ws') + '/relay/ws';
    const sse = w.url + '/relay/events/stream';
    const ext101: EventFilter = { ...MATCH_ALL, extensions: ['101'] };
    h.sim.setLoadRate(6);
    await until(() => w.sources.callState.activeCalls().length >= 2, 10_000, 'calls in progress');
    // Clients arrive one by one while calls ring, answer and end.
    const plan: [string, () => Promise<CollectingClient>, EventFilter][] = [
      ['ws-1', () => collectWs(`${ws}?snapshot=true`, key), MATCH_ALL],
      ['sse-1', () => collectSse(sse, key), MATCH_ALL],
      ['ws-101', () => collectWs(`${ws}?snapshot=1&extensions=101`, key), ext101],
      ['sse-2', () => collectSse(sse, key), MATCH_ALL],
      ['sse-101', () => collectSse(`${sse}?extensions=101`, key), ext101],
      ['ws-2', () => collectWs(`${ws}?snapshot=true`, key), MATCH_ALL],
    ];
    for (const [name, open, filter] of plan) {
      clients.push({ name, c: await open(), filter });
      await new Promise((r) => setTimeout(r, 250));
    }
    h.sim.setLoadRate(0);
    // Every call over, every CDR summarized, every client caught up with the log.
    await until(() => h.sim.state().activeCalls.length === 0, 20_000, 'simulator idle');
    await until(() => w.sources.callState.activeCalls().length === 0, 20_000, 'relay idle');
    let last = '';
    await until(
      async () => {
        const max = (await h.events("type NOT LIKE 'relay.%'")).at(-1)?.sequence ?? '';
        const stable = max === last;
        last = max;
        return stable && max !== '';
      },
      20_000,
      'event log settled',
    );
    await new Promise((r) => setTimeout(r, 1500)); // CDR quiet period and poll, then check again
    rows = await h.events("type NOT LIKE 'relay.%'");
    const newest = rows.at(-1)!.sequence;
    for (const { name, c, filter } of clients) {
      const wanted = rows.filter((r) => matchesFilter(filter, r)).at(-1)?.sequence;
      await until(
        () => c.messages.filter((m) => m.kind === 'event').at(-1)?.sequence === wanted,
        15_000,
        `${name} caught up to ${wanted} (log at ${newest})`,
      );
    }
  }, 120_000);
  afterAll(async () => {
    for (const { c } of clients) c.close();
    await h?.stop();
  });

  const snapshotOf = (c: CollectingClient) => c.messages.find((m) => m.kind === 'snapshot')!;

  it('each client gets hello, one snapshot, then only events, all of them valid', () => {
    for (const { name, c } of clients) {
      expect(c.messages[0]?.kind, name).toBe('hello');
      expect(c.messages[1]?.kind, name).toBe('snapshot');
      expect(
        c.messages.slice(2).every((m) => m.kind === 'event'),
        name,
      ).toBe(true);
      const snap = snapshotOf(c);
      expect(snapshotMessageSchema.safeParse(snap).error?.issues ?? [], name).toEqual([]);
      expect(validateSnapshot(snap), JSON.stringify(validateSnapshot.errors)).toBe(true);
      expect(snap.source).toBe('callcontrol');
      for (const m of c.messages.slice(2)) {
        const { kind: _k, ...event } = m;
        const validate = ajv.getSchema(eventJsonSchema(event.type as EventType).$id as string)!;
        expect(validate(event), `${name} ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
    // The test means something only if clients arrived while calls were in progress.
    expect(clients.some(({ c }) => (snapshotOf(c).activeCalls as unknown[]).length > 0)).toBe(true);
  });

  it('the events after the snapshot are exactly the log after its sequence: no gap, no duplicate', () => {
    for (const { name, c, filter } of clients) {
      const at = BigInt(snapshotOf(c).sequence as string);
      const got = c.messages.filter((m) => m.kind === 'event').map((m) => m.sequence);
      const want = rows
        .filter((r) => BigInt(r.sequence) > at && matchesFilter(filter, r))
        .map((r) => r.sequence);
      expect(got, name).toEqual(want);
    }
  });

  it('SSE events carry their sequence as id, and the snapshot its sequence, for Last-Event-ID', () => {
    for (const { name, c } of clients.filter((x) => x.name.startsWith('sse'))) {
      c.messages.forEach((m, i) => {
        if (m.kind === 'event' || m.kind === 'snapshot') expect(c.ids[i], name).toBe(m.sequence);
      });
    }
  });

  it('the snapshot is the state as of its sequence: every call alive then, none that had ended', () => {
    for (const { name, c, filter } of clients) {
      const snap = snapshotOf(c) as StreamMessage & {
        activeCalls: { callId: string; extensions: string[] }[];
      };
      const at = BigInt(snap.sequence as string);
      const before = rows.filter((r) => BigInt(r.sequence) <= at && LIVE.includes(r.type) && r.call_id);
      const ended = new Set(before.filter((r) => r.type === 'call.ended').map((r) => r.call_id!));
      const seen = new Set(before.map((r) => r.call_id!));
      const inSnapshot = new Set(snap.activeCalls.map((a) => a.callId));
      for (const id of inSnapshot)
        expect(ended.has(id), `${name}: call ${id} had ended by ${at}`).toBe(false);
      // Alive at `at` (an event up to it, no end up to it) and passing the filter → in the snapshot.
      for (const id of seen) {
        if (ended.has(id)) continue;
        const exts = new Set(before.filter((r) => r.call_id === id).flatMap((r) => r.extensions));
        if (filter.extensions.length && !filter.extensions.some((e) => exts.has(e))) continue;
        expect(inSnapshot.has(id), `${name}: call ${id} alive at ${at} is missing`).toBe(true);
      }
      // And each call of the snapshot ends later in the stream, once.
      const endsAfter = c.messages
        .filter((m) => m.kind === 'event' && m.type === 'call.ended')
        .map((m) => m.callId);
      for (const id of inSnapshot)
        expect(
          endsAfter.filter((x) => x === id),
          `${name}: end of ${id}`,
        ).toHaveLength(1);
    }
  });

  it('an SSE client resumes after a drop with Last-Event-ID: the replay continues without a snapshot', async () => {
    const w = h.worker!;
    const sse = w.url + '/relay/events/stream';
    const first = clients.find((x) => x.name === 'sse-1')!.c;
    const events = first.messages.filter((m) => m.kind === 'event');
    const middle = events[Math.floor(events.length / 2)]!.sequence!;
    const again = await collectSse(sse, key, { 'last-event-id': middle });
    expect(again.status).toBe(200);
    const tail = events.filter((m) => BigInt(m.sequence!) > BigInt(middle)).map((m) => m.sequence);
    await until(() => again.messages.some((m) => m.kind === 'resumed'), 10_000, 'resumed');
    again.close();
    expect(again.messages.map((m) => m.kind)).not.toContain('snapshot');
    expect(again.messages.filter((m) => m.kind === 'event').map((m) => m.sequence)).toEqual(tail);
    const bad = await collectSse(`${sse}?since=5&snapshot=true`, key);
    expect(bad.status).toBe(400);
  });
});
