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
});
