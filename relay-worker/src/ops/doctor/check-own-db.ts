import { pendingMigrations } from '@3cx-relay/db/migrate';
import type { Config } from '../../config.js';
import { describeNetworkError, fail, ok, type CheckResult } from './check.js';

const TITLE = "Relay's own database and migrations";

/** Connects to DATABASE_URL and compares applied migrations with this release's. */
export async function checkOwnDb(config: Config): Promise<CheckResult> {
  const u = new URL(config.DATABASE_URL);
  const where = `${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)}`;
  try {
    const pending = await pendingMigrations(config.DATABASE_URL);
    if (pending.length) {
      return fail(
        'own-db',
        TITLE,
        `${where}: ${pending.length} migration(s) not applied (${pending.join(', ')})`,
        'run: 3cx-relay migrate (install.sh does this on upgrade)',
      );
    }
    return ok('own-db', TITLE, `${where} reachable, migrations up to date`);
  } catch (err) {
    const e = err as { code?: string };
    if (e.code === '28P01') {
      return fail(
        'own-db',
        TITLE,
        `${where} refused the login`,
        'check the user and password in DATABASE_URL (worker.env)',
      );
    }
    return fail(
      'own-db',
      TITLE,
      `${where}: ${describeNetworkError(err)}`,
      'start the relay database: pg_ctlcluster 15 relay start (or check DATABASE_URL in worker.env)',
    );
  }
}
