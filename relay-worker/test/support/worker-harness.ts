import pg from 'pg';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { loadConfig } from '../../src/config.js';
import { startWorker, type Worker } from '../../src/main.js';

/** A worker without PBX sources on a fresh database, plus a pool for the test's own SQL. */
export interface WorkerHarness {
  t: TestDatabase;
  worker: Worker;
  pool: pg.Pool;
  wsUrl: string;
  stop(): Promise<void>;
}

export async function startWorkerHarness(
  prefix: string,
  env: Record<string, string> = {},
): Promise<WorkerHarness> {
  const t = await createTestDatabase(prefix);
  const config = loadConfig({
    DATABASE_URL: t.url,
    RELAY_PORT: '0',
    LOG_LEVEL: 'silent',
    SOURCE_DB_ENABLED: 'false',
    SOURCE_XAPI_ENABLED: 'false',
    SOURCE_CALLCONTROL_ENABLED: 'false',
    DELIVERY_POLL_MS: '50',
    API_USAGE_FLUSH_MS: '100',
    // Revocations must arrive through the admin's NOTIFY within a test's deadline, not this net.
    API_KEY_REVALIDATE_MS: '600000',
    ...env,
  });
  const worker = await startWorker(config, pino({ level: 'silent' }));
  const pool = new pg.Pool({ connectionString: t.url, max: 4 });
  return {
    t,
    worker,
    pool,
    wsUrl: worker.url.replace(/^http/, 'ws') + '/relay/ws',
    async stop() {
      await worker.stop();
      await pool.end();
      await t.drop();
    },
  };
}
