import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneEvents } from '../../src/delivery/prune-events.js';
import { createSubscription, makeEvent, startHarness, type Harness } from './harness.js';

describe('pruneEvents', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.delivery.dispatcher.stop(); // keep deliveries pending for this test
  });
  afterAll(async () => h?.stop());

  it('deletes events beyond retention with their deliveries, but keeps those still pending delivery', async () => {
    const sub = await createSubscription(h.pool, {
      url: 'http://127.0.0.1:9/never',
      eventTypes: ['call.missed'],
    });
    const [old, oldPending, fresh] = await h.store.append([
      makeEvent('call.ringing'),
      makeEvent('call.missed'),
      makeEvent('call.ended'),
    ]);
    await h.pool.query(
      `UPDATE events SET created_at = now() - interval '31 days' WHERE sequence = ANY($1::bigint[])`,
      [[old!.sequence, oldPending!.sequence].map(String)],
    );
    expect(await pruneEvents(h.pool, 30 * 86_400_000, 1)).toBe(1);
    const left = await h.pool.query<{ id: string }>('SELECT id FROM events ORDER BY sequence');
    expect(left.rows.map((r) => r.id)).toEqual([oldPending!.id, fresh!.id]);
    await h.pool.query(`UPDATE deliveries SET status = 'failed' WHERE subscription_id = $1`, [sub.id]);
    expect(await pruneEvents(h.pool, 30 * 86_400_000)).toBe(1);
    expect(
      (await h.pool.query('SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = $1', [sub.id]))
        .rows[0].n,
    ).toBe(0);
  });
});
