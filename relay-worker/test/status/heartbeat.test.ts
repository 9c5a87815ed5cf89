import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { Heartbeat } from '../../src/status/heartbeat.js';

describe('Heartbeat', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    t = await createTestDatabase('heartbeat');
    pool = new pg.Pool({ connectionString: t.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
  });

  it('writes its row and then NOTIFYs relay_events {kind: "stats"} so the dashboard refreshes', async () => {
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    const got: { kind?: string }[] = [];
    listener.on('notification', (m) => got.push(JSON.parse(m.payload ?? 'null') as { kind?: string }));
    await listener.query('LISTEN relay_events');
    try {
      const hb = new Heartbeat(pool, pino({ level: 'silent' }), {
        instanceId: 'hb-test',
        version: '0.0.0',
        startedAt: new Date(),
      });
      hb.setStat('wsClients', 3);
      await hb.beat();
      const { rows } = await pool.query<{ stats: { wsClients: number } }>(
        `SELECT stats FROM worker_heartbeats WHERE instance_id = 'hb-test'`,
      );
      expect(rows[0]!.stats.wsClients).toBe(3);
      await expect.poll(() => got, { timeout: 20_000 }).toContainEqual({ kind: 'stats' });
    } finally {
      await listener.end();
    }
  });

  it('reports each other worker that beats after it started, once; a stopped predecessor never', async () => {
    const beat = (id: string, seen: string[], onOther = true) => {
      const hb = new Heartbeat(pool, pino({ level: 'silent' }), {
        instanceId: id,
        version: '0.0.0',
        startedAt: new Date(),
        ...(onOther ? { onOtherWorker: (o) => seen.push(`${o.instanceId}:${o.pbxApiClient}`) } : {}),
      });
      hb.setStat('pbxApiClient', `client-${id}@https://pbx`);
      return hb;
    };
    const gone = beat('crashed', [], false);
    await gone.beat(); // its last beat, before the others start: a crashed or stopped worker
    const a: string[] = [];
    const b: string[] = [];
    const ha = beat('a', a);
    const hb = beat('b', b);
    await ha.beat();
    await hb.beat(); // a beat before b started: b cannot tell it from a dead one yet
    expect(b).toEqual([]);
    await ha.beat(); // b beat after a's first beat: a sees it
    expect(a).toEqual(['b:client-b@https://pbx']);
    await hb.beat();
    expect(b).toEqual(['a:client-a@https://pbx']);
    await ha.beat();
    await hb.beat();
    expect(a).toEqual(['b:client-b@https://pbx']); // once each
    expect(b).toEqual(['a:client-a@https://pbx']);
  });
});
