import { EventEmitter } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { EventStore, type StoredEvent } from '../../src/events/event-store.js';
import { EventTail } from '../../src/fanout/event-tail.js';
import { makeEvent, silent, waitFor } from '../delivery/harness.js';

describe('EventTail', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    t = await createTestDatabase('tail');
    pool = new pg.Pool({ connectionString: t.url, max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
  });

  it('emits each event once, whether it arrives in-process, by NOTIFY, or both', async () => {
    const local = new EventStore(pool, silent);
    const other = new EventStore(pool, silent); // another worker process: its 'appended' never reaches the tail
    const tail = new EventTail(pool, t.url, local, silent);
    await tail.start();
    const seen: bigint[] = [];
    tail.on('events', (events: StoredEvent[]) => seen.push(...events.map((e) => e.sequence)));
    try {
      const appended: StoredEvent[] = [];
      for (let i = 0; i < 20; i++)
        appended.push(
          ...(await (i % 2 ? other : local).append([makeEvent('call.ringing'), makeEvent('call.ended')])),
        );
      await waitFor(
        () => seen.length,
        (n) => n >= 40,
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.map(String).sort()).toEqual(appended.map((e) => String(e.sequence)).sort());
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      await tail.stop();
    }
  });

  it('starts at the end of the log: history is for ?since=, not for the live stream', async () => {
    const store = new EventStore(pool, silent);
    await store.append([makeEvent('call.ringing')]);
    const tail = new EventTail(pool, t.url, new EventEmitter() as never, silent);
    await tail.start();
    const seen: StoredEvent[] = [];
    tail.on('events', (e: StoredEvent[]) => seen.push(...e));
    try {
      const [fresh] = await store.append([makeEvent('call.answered')]);
      await waitFor(
        () => seen.length,
        (n) => n === 1,
      );
      expect(seen[0]!.id).toBe(fresh!.id);
    } finally {
      await tail.stop();
    }
  });

  it("reads the table only for other processes' appends, and tells them apart", async () => {
    let reads = 0;
    const counting = new Proxy(pool, {
      get(target, prop, receiver) {
        if (prop === 'query')
          return (text: string, ...rest: unknown[]) => {
            if (typeof text === 'string' && text.includes('WHERE sequence > $1')) reads++;
            return (target.query as (...a: unknown[]) => unknown).call(target, text, ...rest);
          };
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const local = new EventStore(pool, silent);
    const other = new EventStore(pool, silent);
    const tail = new EventTail(counting, t.url, local, silent);
    await tail.start();
    const seen: bigint[] = [];
    const foreign: bigint[] = [];
    tail.on('events', (events: StoredEvent[]) => seen.push(...events.map((e) => e.sequence)));
    tail.on('foreign', (events: StoredEvent[]) => foreign.push(...events.map((e) => e.sequence)));
    try {
      // The read at LISTEN time is done once the first append's NOTIFY moved the cursor.
      const [first] = await local.append([makeEvent('call.ringing')]);
      await waitFor(
        () => tail.position,
        (p) => p >= first!.sequence,
      );
      await tail.settled();
      reads = 0;
      const mine: StoredEvent[] = [];
      for (let i = 0; i < 20; i++) mine.push(...(await local.append([makeEvent('call.ringing')])));
      const top = mine[mine.length - 1]!.sequence;
      // Each NOTIFY was handled: the cursor is past every own append, without reading the table.
      await waitFor(
        () => tail.position,
        (p) => p >= top,
      );
      expect(reads).toBe(0);
      expect(foreign).toEqual([]);
      const theirs = await other.append([makeEvent('call.ringing'), makeEvent('call.ended')]);
      await waitFor(
        () => foreign.length,
        (n) => n >= 2,
      );
      expect(foreign).toEqual(theirs.map((e) => e.sequence));
      expect(reads).toBeGreaterThan(0);
      expect(seen).toEqual([first!.sequence, ...mine.map((e) => e.sequence), ...foreign]);
    } finally {
      await tail.stop();
    }
  });
});
