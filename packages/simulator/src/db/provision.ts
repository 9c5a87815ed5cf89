import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { cdroutputDdl, LEGACY_DDL, VOICEMAIL_DDL } from './schema-sql.js';

/** Where the simulator's database lives and how to reach it. */
export interface ProvisionedDb {
  /** Superuser URL of the simulator's database (3CX's own writer is `phonesystem`). */
  writerUrl: string;
  /** URL of the read-only login role. */
  readonlyUrl: string;
  readonlyPassword: string;
  host: string;
  port: number;
}

const ident = (name: string) => '"' + name.replace(/"/g, '""') + '"';

/** Runs statements on `url` with a short-lived client. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `url` with another database (and optionally other credentials). */
export function withDatabase(url: string, db: string, user?: string, password?: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  if (user) u.username = encodeURIComponent(user);
  if (password) u.password = encodeURIComponent(password);
  return u.toString();
}

/**
 * (Re)creates `dbName` with cdroutput and the legacy tables, and the login role `role` that
 * can only SELECT there. Roles are cluster-global: an existing role gets a new password.
 */
export async function provisionDatabase(
  superUrl: string,
  dbName: string,
  role: string,
  opts: { voicemailTable?: boolean } = {},
): Promise<ProvisionedDb> {
  const password = randomBytes(18).toString('base64url');
  await withClient(superUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(dbName)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident(dbName)}`);
    const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const verb = exists.rowCount ? 'ALTER' : 'CREATE';
    await c.query(
      `${verb} ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '${password}'`,
    );
  });
  const writerUrl = withDatabase(superUrl, dbName);
  await withClient(writerUrl, async (c) => {
    await c.query(cdroutputDdl() + LEGACY_DDL + (opts.voicemailTable === false ? '' : VOICEMAIL_DDL));
    await c.query(`REVOKE ALL ON DATABASE ${ident(dbName)} FROM PUBLIC`);
    await c.query(`GRANT CONNECT ON DATABASE ${ident(dbName)} TO ${ident(role)}`);
    await c.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await c.query(`GRANT USAGE ON SCHEMA public TO ${ident(role)}`);
    await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ident(role)}`);
  });
  const u = new URL(superUrl);
  return {
    writerUrl,
    readonlyPassword: password,
    host: u.hostname,
    port: Number(u.port || 5432),
    readonlyUrl: withDatabase(superUrl, dbName, role, password),
  };
}

/** Drops the database and the role (best effort: the role may still own things elsewhere). */
export async function dropDatabase(superUrl: string, dbName: string, role: string): Promise<void> {
  await withClient(superUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(dbName)} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${ident(role)}`).catch(() => undefined);
  });
}

/**
 * Blocks (or unblocks) the database like a stopped PostgreSQL would look to its clients:
 * `ALLOW_CONNECTIONS false` refuses new connections, open ones are terminated.
 */
export async function setDatabaseOnline(superUrl: string, dbName: string, online: boolean): Promise<void> {
  await withClient(superUrl, async (c) => {
    await c.query(`ALTER DATABASE ${ident(dbName)} ALLOW_CONNECTIONS ${online ? 'true' : 'false'}`);
    if (!online) {
      await c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [dbName],
      );
    }
  });
}
