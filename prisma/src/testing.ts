import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from './client.js';

/**
 * Test helpers. The test run's global setup (vitest.global-setup.ts) starts one private
 * PostgreSQL cluster and migrates a template database; each test file clones its own fresh
 * database from that template, which takes ~50 ms instead of a full migration.
 */
export const TEMPLATE_DB = 'relay_template';

/** Superuser URL of the test cluster (its `postgres` database). */
export function testClusterUrl(): string {
  const url = process.env.RELAY_TEST_PG_URL;
  if (!url) {
    throw new Error(
      'RELAY_TEST_PG_URL is not set: run the tests through `npm test` (vitest global setup starts PostgreSQL)',
    );
  }
  return url;
}

/** Runs one statement as the test cluster's superuser (CREATE/DROP DATABASE). */
async function asSuperuser(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testClusterUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Drops a test database. Connections still closing (a pool's `end()` resolves before its
 * sockets are gone) get up to 2 s to leave on their own: terminating them instead made the
 * server's "terminating connection" reach pools that no longer listen for errors.
 */
async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: testClusterUrl() });
  await client.connect();
  try {
    for (let i = 0; i < 40; i++) {
      const res = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      if (!res.rows[0]?.n) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Lazily created Prisma client for this database. */
  db(): Db;
  drop(): Promise<void>;
}

/** Creates a fresh, fully migrated database for one test file. */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase();
  await asSuperuser(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
  const url = withDatabase(testClusterUrl(), name);
  let prisma: Db | undefined;
  return {
    name,
    url,
    db: () => (prisma ??= createDb(url, { max: 5 })),
    async drop() {
      await prisma?.$disconnect();
      await dropDatabase(name);
    },
  };
}

/** Creates an empty (unmigrated) database, e.g. to test migrations themselves. */
export async function createEmptyDatabase(prefix = 'empty'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase();
  await asSuperuser(`CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(testClusterUrl(), name),
    drop: () => dropDatabase(name),
  };
}
