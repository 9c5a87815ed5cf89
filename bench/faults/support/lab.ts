import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '@3cx-relay/db';
import { freePort } from '@3cx-relay/pg-cluster';
import { startSimulator, type Simulator, type SimulatorOptions } from '@3cx-relay/simulator';
import { WorkerProcess } from './worker-process.js';

/** Worker settings that make faults visible within seconds instead of minutes. */
export const FAST_WORKER_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  CDR_POLL_INTERVAL_MS: '1000',
  CDR_FLOW_QUIET_MS: '300',
  CDR_OVERLAP_MS: '3000',
  CALLCONTROL_END_GRACE_MS: '500',
  CALLCONTROL_RECONCILE_INTERVAL_MS: '60000',
  CALLCONTROL_PING_INTERVAL_MS: '5000',
  RECONNECT_BASE_MS: '100',
  RECONNECT_MAX_MS: '1000',
  XAPI_HEALTH_INTERVAL_MS: '1000',
  WORKER_HEARTBEAT_MS: '1000',
  STATUS_HEARTBEAT_MS: '60000',
  DELIVERY_POLL_MS: '100',
  DELIVERY_TIMEOUT_MS: '2000',
  DELIVERY_LEASE_MS: '4000',
  DELIVERY_RETRY_SCHEDULE: '200ms,500ms,1s,2s,2s,2s',
  DELIVERY_RETRY_JITTER: '0',
  WS_PING_INTERVAL_MS: '2000',
  API_USAGE_FLUSH_MS: '500',
};

/** Options of {@link startLab}. */
export interface LabOptions {
  /** Superuser URL of the cluster that holds the simulator's 3CX database. */
  pgUrl: string;
  /** Superuser URL of the cluster for the relay's own database (default: `pgUrl`). */
  relayPgUrl?: string;
  /** Unique short name (database and role names derive from it). */
  tag: string;
  sim?: Partial<SimulatorOptions>;
  /** Worker environment on top of {@link FAST_WORKER_ENV}. */
  workerEnv?: Record<string, string>;
  /** Which simulator API client the worker uses (default owner). */
  client?: 'owner' | 'admin';
}

/** One isolated world: a simulated 3CX, a migrated relay database and a worker process (not yet started). */
export interface Lab {
  sim: Simulator;
  worker: WorkerProcess;
  /** Pool on the relay's own database (superuser), for fixtures and checks. */
  pool: pg.Pool;
  /** Pool on the simulator's 3CX database (superuser), to read what 3CX wrote. */
  pbxPool: pg.Pool;
  relayDbUrl: string;
  encryptionKey: Buffer;
  /** Every `cdr_id` 3CX has written so far. */
  pbxCdrIds(): Promise<string[]>;
  stop(): Promise<void>;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE "${name}"`);
  } finally {
    await c.end();
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect().catch(() => undefined);
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } catch {
    // the cluster may be gone already (own-database scenario tears it down itself)
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Starts a simulator, creates and migrates a relay database, prepares (not starts) a worker. */
export async function startLab(o: LabOptions): Promise<Lab> {
  const tag = `${o.tag}_${randomBytes(3).toString('hex')}`.toLowerCase();
  const relayAdmin = o.relayPgUrl ?? o.pgUrl;
  const iniDir = mkdtempSync(path.join(os.tmpdir(), `relay-faults-${tag}-`));
  const sim = await startSimulator({
    pgUrl: o.pgUrl,
    dbName: `sim_${tag}`,
    readonlyRole: `simro_${tag}`,
    iniDir,
    timeScale: 0.02,
    seed: 11,
    // Compressed rings last tens of ms, less than a participant GET on a loaded machine: without
    // this a call answered by unmonitored 105 could pass unseen, which is timing, not a fault.
    waitForReaders: true,
    dropOnStop: true,
    ...o.sim,
  });
  const relayDb = `relay_${tag}`;
  await createDatabase(relayAdmin, relayDb);
  const relayDbUrl = withDatabase(relayAdmin, relayDb);
  await migrate(relayDbUrl);
  const pool = new pg.Pool({ connectionString: relayDbUrl, max: 4 });
  pool.on('error', () => undefined); // the own-database scenario kills the server under it
  const pbxPool = new pg.Pool({ connectionString: withDatabase(o.pgUrl, sim.dbName), max: 2 });
  pbxPool.on('error', () => undefined);
  const encryptionKey = randomBytes(32);
  const creds = sim.clients[o.client ?? 'owner'];
  const worker = new WorkerProcess({
    ...FAST_WORKER_ENV,
    DATABASE_URL: relayDbUrl,
    RELAY_HOST: '127.0.0.1',
    RELAY_PORT: String(await freePort()),
    RELAY_INSTANCE_ID: `faults-${tag}`,
    RELAY_ENCRYPTION_KEY: encryptionKey.toString('hex'),
    PBX_URL: sim.baseUrl,
    PBX_CLIENT_ID: creds.clientId,
    PBX_CLIENT_SECRET: creds.clientSecret,
    PBX_INI_PATH: sim.iniPath ?? '',
    PBX_TRUNK_DIDS: '10007=32655144',
    ...o.workerEnv,
  });
  return {
    sim,
    worker,
    pool,
    pbxPool,
    relayDbUrl,
    encryptionKey,
    async pbxCdrIds() {
      return (
        await pbxPool.query<{ cdr_id: string }>('SELECT cdr_id::text FROM cdroutput ORDER BY cdr_started_at')
      ).rows.map((r) => r.cdr_id);
    },
    async stop() {
      await worker.stop();
      await pool.end().catch(() => undefined);
      await pbxPool.end().catch(() => undefined);
      await sim.stop();
      await dropDatabase(relayAdmin, relayDb);
      rmSync(iniDir, { recursive: true, force: true });
    },
  };
}
