import pg from 'pg';
import type { Config } from '../../config.js';
import { resolvePbxDb } from '../../sources/db3cx/pbx-db-pool.js';
import { describeNetworkError, fail, ok, skip, type CheckResult } from './check.js';

const TITLE = '3CX database, read-only login and cdroutput';

/** `host:port/database as user` of a resolved login, never its password. */
function describeTarget(c: pg.PoolConfig): string {
  if (c.connectionString) {
    const u = new URL(c.connectionString);
    return `${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)} as ${decodeURIComponent(u.username)}`;
  }
  return `${String(c.host)}:${c.port ?? 5432}/${String(c.database)} as ${String(c.user)}`;
}

/**
 * Logs in with exactly the login the worker would use ({@link resolvePbxDb}: PBX_DB_URL, else
 * the ini with PBX_DB_HOST/PBX_DB_PORT) and reads one row of the CDR table, read-only.
 */
export async function checkPbxDb(config: Config): Promise<CheckResult> {
  const resolved = resolvePbxDb(config);
  if (!resolved.ok) return skip('pbx-db', TITLE, `no login known: ${resolved.reason}`);
  const target = describeTarget(resolved.config);
  const client = new pg.Client({
    ...resolved.config,
    connectionTimeoutMillis: 5000,
    statement_timeout: 5000,
    application_name: '3cx-relay-doctor',
  });
  try {
    await client.connect();
  } catch (err) {
    const e = err as { code?: string };
    if (e.code === '28P01' || e.code === '28000') {
      return fail(
        'pbx-db',
        TITLE,
        `3CX's database refused the login ${target}`,
        'check [DbAdminREADONLY] User/Password in the ini, or the user and password in PBX_DB_URL',
      );
    }
    if (e.code === '3D000') {
      return fail(
        'pbx-db',
        TITLE,
        `database not found: ${target}`,
        'check DBName in the ini or the database in PBX_DB_URL',
      );
    }
    return fail(
      'pbx-db',
      TITLE,
      `cannot connect to ${target}: ${describeNetworkError(err)}`,
      "is 3CX running? Check 3CX's PostgreSQL port (DBPort in the ini; set PBX_DB_PORT if it differs)",
    );
  }
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SELECT 1 FROM ${config.PBX_CDR_TABLE} LIMIT 1`);
    return ok('pbx-db', TITLE, `logged in to ${target}; SELECT on ${config.PBX_CDR_TABLE} works`);
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === '42501') {
      return fail(
        'pbx-db',
        TITLE,
        `${target} may not read ${config.PBX_CDR_TABLE}: ${e.message}`,
        `use a login that can SELECT ${config.PBX_CDR_TABLE} (3CX's read-only user), set in PBX_DB_URL`,
      );
    }
    if (e.code === '42P01') {
      return fail(
        'pbx-db',
        TITLE,
        `no table ${config.PBX_CDR_TABLE} in ${target}`,
        'cdroutput exists from 3CX V20 Update 6 on: update 3CX, or set PBX_CDR_TABLE',
      );
    }
    return fail(
      'pbx-db',
      TITLE,
      `query on ${config.PBX_CDR_TABLE} failed: ${e.message}`,
      'see the message; run 3cx-relay doctor again after fixing it',
    );
  } finally {
    await client.end().catch(() => {});
  }
}
