import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { APPEND_SQL, DIRECT_ONLY_TYPES, OUTBOX_INSERT_SQL } from '../../src/delivery/outbox.js';
import { CLAIM_SQL } from '../../src/delivery/claim-due-deliveries.js';
import { RELEASE_LANES_SQL } from '../../src/delivery/record-attempts.js';

// Statistics are usually taken while nearly every delivery has succeeded ("pending" looks like
// one row). When a receiver then stays down and a backlog builds, the outbox insert and the
// claim must still look a lane up by its index, not read every pending row per new delivery:
// with the old (status, next_attempt_at) index an outbox insert of 30 events took ~190 ms
// instead of ~9 ms, and the relay fell behind exactly when it had the most to catch up.
let t: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  t = await createTestDatabase('backlogplans');
  pool = new pg.Pool({ connectionString: t.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await t?.drop();
});

interface PlanNode {
  'Relation Name'?: string;
  'Total Cost'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Rows of `deliveries` the plan read (returned or filtered out), over all loops. */
function deliveriesRowsRead(node: PlanNode): number {
  const own =
    node['Relation Name'] === 'deliveries'
      ? ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1)
      : 0;
  return own + (node.Plans ?? []).reduce((n, p) => n + deliveriesRowsRead(p), 0);
}

async function explain(client: pg.PoolClient, sql: string, params: unknown[]): Promise<PlanNode> {
  const res = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
    params,
  );
  const plan = res.rows[0]!['QUERY PLAN'][0]!.Plan;
  // PostgreSQL JIT-compiles a plan estimated above jit_above_cost (default 100,000) on every run:
  // ~0.5 s for the claim once a lane walk was estimated as reading a subscription's whole outbox
  expect(plan['Total Cost']).toBeLessThan(100_000);
  return plan;
}

it('with statistics from a quiet moment and a backlog of 20,000, a new event and a claim each read a handful of deliveries', async () => {
  await pool.query(
    `INSERT INTO webhook_subscriptions (name, url, allowed_cidrs, ordering)
     SELECT 'sub ' || g, 'http://127.0.0.1:9/' || g, '{127.0.0.0/8}', 'per-call' FROM generate_series(1, 10) g`,
  );
  const newEvents = (from: number, to: number) =>
    pool.query<{ sequence: string }>(
      `INSERT INTO events (id, type, occurred_at, call_id, extensions, dids, queues, data, order_key)
       SELECT 'evt-' || g, 'call.ringing', now(), g::text, '{101}', '{}', '{}', '{}'::jsonb, 'call:' || g
         FROM generate_series($1::int, $2::int) g RETURNING sequence::text`,
      [from, to],
    );
  await newEvents(1, 3000);
  await pool.query(
    `INSERT INTO deliveries (event_sequence, subscription_id, order_key, prev_sequence, status, next_attempt_at, completed_at)
     SELECT e.sequence, s.id, e.order_key, 0, 'succeeded', NULL, now() FROM events e CROSS JOIN webhook_subscriptions s`,
  );
  await pool.query('VACUUM ANALYZE deliveries');
  // Then a receiver goes away: 20,000 rows wait, and the statistics do not know.
  await pool.query(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = now() - interval '1 second', completed_at = NULL
      WHERE event_sequence > (SELECT min(sequence) + 999 FROM events)`,
  );

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const fresh = await newEvents(3001, 3030);
    const outbox = await explain(client, OUTBOX_INSERT_SQL, [
      fresh.rows.map((r) => r.sequence),
      DIRECT_ONLY_TYPES,
      120_000,
      [],
      'me',
    ]);
    await client.query('ROLLBACK');
    // 30 events × 10 subscriptions: one lane probe each, plus the 300 rows inserted.
    expect(deliveriesRowsRead(outbox)).toBeLessThan(1000);

    // The live append's statement (events and their deliveries in one), with the generic plan
    // PostgreSQL may settle on for a prepared statement after five runs.
    await client.query(
      `PREPARE backlog_append(jsonb, text[], float8, uuid[], text, boolean) AS ${APPEND_SQL}`,
    );
    await client.query("BEGIN; SET LOCAL plan_cache_mode = 'force_generic_plan'");
    const events = Array.from({ length: 30 }, (_, i) => ({
      id: `evt-live-${i}`,
      type: 'call.ringing',
      occurredAt: new Date(),
      callId: String(4000 + i),
      callHistoryId: null,
      extensions: ['101'],
      dids: [],
      queues: [],
      departments: [],
      data: {},
      orderKey: `call:${4000 + i}`,
    }));
    const append = await explain(
      client,
      `EXECUTE backlog_append(${pg.escapeLiteral(JSON.stringify(events))}, ${pg.escapeLiteral(`{${DIRECT_ONLY_TYPES.join(',')}}`)}, 120000, '{}', 'me', true)`,
      [],
    );
    await client.query('ROLLBACK; DEALLOCATE backlog_append');
    expect(deliveriesRowsRead(append)).toBeLessThan(1000);

    await client.query('BEGIN');
    const claim = await explain(client, CLAIM_SQL, [100, 120_000, [], 20, 'me']);
    await client.query('ROLLBACK');
    expect(deliveriesRowsRead(claim)).toBeLessThan(1000);
  } finally {
    client.release();
  }
}, 60_000);

it('with a backlog of 20,000 in lanes of 10 events, a claim and a deferral read each lane, not the backlog', async () => {
  await pool.query('TRUNCATE deliveries, events, webhook_subscriptions CASCADE');
  await pool.query(
    `INSERT INTO webhook_subscriptions (name, url, allowed_cidrs, ordering)
     SELECT 'sub ' || g, 'http://127.0.0.1:9/' || g, '{127.0.0.0/8}', 'per-call' FROM generate_series(1, 10) g`,
  );
  // 2,000 calls of 10 events each, every event to every subscription: 200,000 deliveries
  await pool.query(
    `INSERT INTO events (id, type, occurred_at, call_id, extensions, dids, queues, data, order_key)
     SELECT 'lane-' || g, 'call.ringing', now(), (g % 2000)::text, '{101}', '{}', '{}', '{}'::jsonb, 'call:' || (g % 2000)
       FROM generate_series(1, 20000) g ORDER BY g`,
  );
  await pool.query(
    `INSERT INTO deliveries (event_sequence, subscription_id, order_key, prev_sequence, status, next_attempt_at, completed_at)
     SELECT e.sequence, s.id, e.order_key, 0, 'succeeded', NULL, now() FROM events e CROSS JOIN webhook_subscriptions s`,
  );
  await pool.query('VACUUM ANALYZE deliveries');
  await pool.query('ANALYZE events');
  // One subscription's receiver goes away for its last 20,000 rows: whole lanes of 10 wait.
  const sub = (
    await pool.query<{ id: string }>(`SELECT id::text FROM webhook_subscriptions ORDER BY name LIMIT 1`)
  ).rows[0]!.id;
  await pool.query(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = now() - interval '1 second', completed_at = NULL
      WHERE subscription_id = $1`,
    [sub],
  );
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // 50 heads, each with the 9 later rows of its call
    const claim = await explain(client, CLAIM_SQL, [50, 120_000, [], 20, 'me']);
    await client.query('ROLLBACK');
    expect(deliveriesRowsRead(claim)).toBeLessThan(5000);

    const heads = await client.query<{ okey: string; seq: string }>(
      `SELECT order_key AS okey, min(event_sequence)::text AS seq FROM deliveries
        WHERE subscription_id = $1 GROUP BY order_key ORDER BY order_key LIMIT 50`,
      [sub],
    );
    await client.query('BEGIN');
    const defer = await explain(client, RELEASE_LANES_SQL, [
      [],
      heads.rows.map(() => sub),
      heads.rows.map((h) => h.okey),
      heads.rows.map((h) => h.seq),
      heads.rows.map(() => 'defer'),
      heads.rows.map(() => new Date(Date.now() + 60_000)),
    ]);
    await client.query('ROLLBACK');
    expect(deliveriesRowsRead(defer)).toBeLessThan(5000);
  } finally {
    client.release();
  }
}, 60_000);
