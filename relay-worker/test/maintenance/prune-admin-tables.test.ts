import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { pruneAdminTables } from '../../src/maintenance/prune-admin-tables.js';

let t: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  t = await createTestDatabase('prune_admin');
  pool = new pg.Pool({ connectionString: t.url, max: 2 });
});
afterAll(async () => {
  await pool.end();
  await t.drop();
});

it('prunes stale sign-in counters, audit entries past the retention and dead sessions; keeps the rest', async () => {
  await pool.query(`
    INSERT INTO rate_limits (key, failures, updated_at, blocked_until) VALUES
      ('login:client:old', 3, now() - interval '3 hours', NULL),
      ('login:client:old-block-over', 9, now() - interval '3 hours', now() - interval '1 hour'),
      ('login:client:still-blocked', 9, now() - interval '3 hours', now() + interval '10 minutes'),
      ('login:client:recent', 1, now(), NULL)`);
  await pool.query(`
    INSERT INTO audit_log (at, action) VALUES
      (now() - interval '400 days', 'login.failed'),
      (now() - interval '10 days', 'login.failed')`);
  const u = await pool.query<{ id: string }>(
    `INSERT INTO admin_users (email, password_hash) VALUES ('p@relay.test', 'x') RETURNING id`,
  );
  const uid = u.rows[0]!.id;
  await pool.query(
    `INSERT INTO admin_sessions (user_id, expires_at, revoked_at) VALUES
      ($1, now() - interval '2 days', NULL),
      ($1, now() + interval '1 hour', now() - interval '2 days'),
      ($1, now() + interval '1 hour', NULL)`,
    [uid],
  );
  // A chunk of 1 still gets every row (several rounds).
  const n = await pruneAdminTables(pool, 365 * 86_400_000, 1);
  expect(n).toEqual({ rateLimits: 2, auditLog: 1, sessions: 2 });
  const keys = (await pool.query<{ key: string }>(`SELECT key FROM rate_limits ORDER BY key`)).rows;
  expect(keys.map((r) => r.key)).toEqual(['login:client:recent', 'login:client:still-blocked']);
  expect((await pool.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0]).toEqual({ n: 1 });
  expect((await pool.query(`SELECT count(*)::int AS n FROM admin_sessions`)).rows[0]).toEqual({ n: 1 });
});
