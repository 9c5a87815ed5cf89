import { randomBytes } from 'node:crypto';
import { createDb, hashPassword, migrate } from '@3cx-relay/db';
import { freePort, startPostgres, type PgCluster } from '@3cx-relay/pg-cluster';
import { ensureAdminBuild } from './build-admin.js';
import { startAdmin, type AdminServer } from './start-admin.js';
import { USERS } from './users.js';

/** Which parts of the system to run besides PostgreSQL and the admin. */
export interface StackOptions {
  /** The relay worker (added once it exists). */
  worker?: boolean;
  /** The 3CX simulator (added once it exists). */
  simulator?: boolean;
  log?: (line: string) => void;
}

/** The running system under test. */
export interface Stack {
  pg: PgCluster;
  /** The relay's database, as superuser. */
  databaseUrl: string;
  admin: AdminServer;
  /** Settings the admin runs with (tests need the encryption key to check secrets). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts a private PostgreSQL, migrates and seeds the relay database (an admin, a viewer and
 * the rate-limit test's account), builds the admin when needed and starts it on a free port.
 * Each part is stopped in reverse order by `stop()`, also when a later start fails.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const log = opts.log ?? (() => {});
  if (opts.worker || opts.simulator) throw new Error('worker/simulator are not wired into the e2e stack yet');
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    ensureAdminBuild(log);
    const pg = await startPostgres({ log });
    stops.push(() => pg.stop());
    const databaseUrl = await pg.createDatabase('relay');
    await migrate(databaseUrl);
    await seedUsers(databaseUrl);

    const adminPort = await freePort();
    const env = {
      DATABASE_URL: databaseUrl,
      NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
      RELAY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      NEXTAUTH_URL: `http://127.0.0.1:${adminPort}/admin/api/auth`,
    };
    const admin = await startAdmin(env, adminPort);
    stops.push(() => admin.stop());
    return { pg, databaseUrl, admin, env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function seedUsers(databaseUrl: string): Promise<void> {
  const db = createDb(databaseUrl, { max: 2 });
  try {
    for (const u of Object.values(USERS)) {
      await db.adminUser.create({
        data: { email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(u.password) },
      });
    }
  } finally {
    await db.$disconnect();
  }
}
