import { randomBytes } from 'node:crypto';
import { createDb, hashPassword, migrate } from '@3cx-relay/db';
import { freePort, startPostgres, type PgCluster } from '@3cx-relay/pg-cluster';
import { ensureAdminBuild } from './build-admin.js';
import { startLiveSystem, type LiveSystem } from './live-system.js';
import { E2E_PROXY_SECRET } from './proxy.js';
import { startAdmin, type AdminServer } from './start-admin.js';
import { USERS } from './users.js';

/** Which parts of the system to run besides PostgreSQL and the admin. */
export interface StackOptions {
  /** The relay worker as a child process, pointed at the simulator when one runs. */
  worker?: boolean;
  /** The 3CX simulator, with its own `database_single` in the stack's cluster. */
  simulator?: boolean;
  log?: (line: string) => void;
}

/** The running system under test. */
export interface Stack {
  pg: PgCluster;
  /** The relay's database, as superuser. */
  databaseUrl: string;
  admin: AdminServer;
  /** The simulator and worker, when asked for. */
  live: LiveSystem | null;
  /** Settings the admin runs with (tests need the encryption key to check secrets). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts a private PostgreSQL, migrates and seeds the relay database (an admin, a viewer and
 * the rate-limit test's account), builds the admin when needed and starts it on a free port;
 * with `simulator`/`worker`, also the 3CX simulator and the relay worker ({@link startLiveSystem}).
 * Each part is stopped in reverse order by `stop()`, also when a later start fails.
 *
 * The Playwright run starts the admin-only stack globally (those specs play the worker's part
 * through the database, so a real worker must not run beside them) and the `live` project adds
 * the simulator and worker to it with {@link startLiveSystem} (see `live-fixture.ts`).
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const log = opts.log ?? (() => {});
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
      // Tests act as nginx with it, to sign in from distinct client addresses (X-Real-IP).
      TRUSTED_PROXY_SECRET: E2E_PROXY_SECRET,
    };
    const admin = await startAdmin(env, adminPort);
    stops.push(() => admin.stop());
    let live: LiveSystem | null = null;
    if (opts.worker || opts.simulator) {
      live = await startLiveSystem({
        pgUrl: databaseUrl,
        databaseUrl,
        encryptionKey: env.RELAY_ENCRYPTION_KEY,
        simulator: !!opts.simulator,
        worker: !!opts.worker,
        log,
      });
      stops.push(() => live!.stop());
    }
    return { pg, databaseUrl, admin, live, env, stop };
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
