import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import pg from 'pg';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { loadConfig } from '../../../../relay-worker/src/config.js';
import { startWorker, type Worker } from '../../../../relay-worker/src/main.js';

/** The real worker in-process on 127.0.0.1 (no PBX sources) over a fresh database. */
export interface RunningRelay {
  worker: Worker;
  pool: pg.Pool;
  /** Creates an API key row the way the admin does (bcrypt of the secret; 4 rounds for speed). */
  createKey(scopes: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startRelay(name: string): Promise<RunningRelay> {
  const t: TestDatabase = await createTestDatabase(name);
  const config = loadConfig({
    DATABASE_URL: t.url,
    RELAY_HOST: '127.0.0.1',
    RELAY_PORT: '0',
    LOG_LEVEL: 'silent',
    SOURCE_DB_ENABLED: 'false',
    SOURCE_XAPI_ENABLED: 'false',
    SOURCE_CALLCONTROL_ENABLED: 'false',
  });
  const worker = await startWorker(config, pino({ level: 'silent' }));
  const pool = new pg.Pool({ connectionString: t.url, max: 2 });
  return {
    worker,
    pool,
    async createKey(scopes) {
      const prefix = `rk_${randomBytes(6).toString('hex')}`;
      const secret = randomBytes(32).toString('base64url');
      await pool.query('INSERT INTO api_keys (name, prefix, secret_hash, scopes) VALUES ($1, $2, $3, $4)', [
        `client test ${prefix}`,
        prefix,
        await bcrypt.hash(secret, 4),
        scopes,
      ]);
      return `${prefix}.${secret}`;
    },
    async stop() {
      await worker.stop();
      await pool.end();
      await t.drop();
    },
  };
}

/** Polls until `ok` holds (or fails after `timeoutMs`). */
export async function until(ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
