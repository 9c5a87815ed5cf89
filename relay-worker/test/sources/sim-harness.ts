import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { startSimulator, type Simulator, type SimulatorOptions } from '@3cx-relay/simulator';
import { loadConfig } from '../../src/config.js';
import { startWorker, type Worker } from '../../src/main.js';

/** An event row as the tests read it back from the relay's `events` table. */
export interface EventRow {
  sequence: string;
  id: string;
  type: string;
  call_id: string | null;
  call_history_id: string | null;
  extensions: string[];
  dids: string[];
  queues: string[];
  departments: string[] | null;
  data: Record<string, any>;
}

export interface Harness {
  sim: Simulator;
  db: TestDatabase;
  worker: Worker | undefined;
  env: Record<string, string>;
  startWorker(extra?: Record<string, string>): Promise<Worker>;
  stopWorker(): Promise<void>;
  events(where?: string, params?: unknown[]): Promise<EventRow[]>;
  stop(): Promise<void>;
}

/** Fast test timings (the config's minimums where they apply). */
export const FAST_ENV: Record<string, string> = {
  RELAY_PORT: '0',
  LOG_LEVEL: 'silent',
  CDR_POLL_INTERVAL_MS: '1000',
  CDR_FLOW_QUIET_MS: '200',
  CDR_OVERLAP_MS: '3000',
  CALLCONTROL_END_GRACE_MS: '300',
  CALLCONTROL_RECONCILE_INTERVAL_MS: '60000',
  CALLCONTROL_PING_INTERVAL_MS: '5000',
  RECONNECT_BASE_MS: '50',
  RECONNECT_MAX_MS: '400',
  XAPI_HEALTH_INTERVAL_MS: '60000',
  WORKER_HEARTBEAT_MS: '200',
  STATUS_HEARTBEAT_MS: '60000',
};

/** A simulator (own database and role named by `tag`) plus a relay worker wired to it. */
export async function startHarness(
  tag: string,
  simOpts: Partial<SimulatorOptions> = {},
  who: 'owner' | 'admin' = 'owner',
): Promise<Harness> {
  const pgUrl = process.env.RELAY_TEST_PG_URL;
  if (!pgUrl) throw new Error('RELAY_TEST_PG_URL is not set');
  const iniDir = mkdtempSync(path.join(os.tmpdir(), `relay-ini-${tag}-`));
  const sim = await startSimulator({
    pgUrl,
    dbName: `simdb_${tag}`,
    readonlyRole: `simro_${tag}`,
    iniDir,
    timeScale: 0.05,
    // Compressed rings last ~100 ms: scripted steps wait until the worker has read each leg.
    waitForReaders: true,
    dropOnStop: true,
    ...simOpts,
  });
  const db = await createTestDatabase(`w${tag}`);
  const c = sim.clients[who];
  const env = {
    ...FAST_ENV,
    DATABASE_URL: db.url,
    PBX_URL: sim.baseUrl,
    PBX_CLIENT_ID: c.clientId,
    PBX_CLIENT_SECRET: c.clientSecret,
    PBX_INI_PATH: sim.iniPath ?? '',
    PBX_TRUNK_DIDS: '10007=32655144',
  };
  const h: Harness = {
    sim,
    db,
    worker: undefined,
    env,
    async startWorker(extra = {}) {
      await h.stopWorker(); // one worker at a time: a leftover one would poll and report too
      h.worker = await startWorker(loadConfig({ ...env, ...extra }), pino({ level: 'silent' }));
      return h.worker;
    },
    async stopWorker() {
      await h.worker?.stop();
      h.worker = undefined;
    },
    async events(where = 'true', params = []) {
      const r = await db
        .db()
        .$queryRawUnsafe<EventRow[]>(
          `SELECT sequence::text, id, type, call_id, call_history_id, extensions, dids, queues, departments, data FROM events WHERE ${where} ORDER BY events.sequence`,
          ...params,
        );
      return r;
    },
    async stop() {
      await h.stopWorker();
      await sim.stop();
      await db.drop();
      rmSync(iniDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function until<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
