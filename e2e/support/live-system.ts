import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@3cx-relay/pg-cluster';
import { startSimulator, type Simulator } from '@3cx-relay/simulator';
import { WorkerProcess } from '../../bench/faults/support/worker-process.js';
import { forgetChild, recordChild } from './children.js';
import { FAST_WORKER_ENV, TRUNK_DIDS } from './worker-env.js';

/** What {@link startLiveSystem} needs from a running stack. */
export interface LiveSystemOptions {
  /** A superuser URL of the stack's cluster (the simulator creates its database with it). */
  pgUrl: string;
  /** The relay's database, shared with the admin. */
  databaseUrl: string;
  /** The admin's RELAY_ENCRYPTION_KEY (webhook secrets at rest). */
  encryptionKey: string;
  /** Start the 3CX simulator (default true). */
  simulator?: boolean;
  /** Start the relay worker (default true); without a simulator its PBX sources are off. */
  worker?: boolean;
  log?: (line: string) => void;
}

/** The running simulator and worker. */
export interface LiveSystem {
  /** The simulator's base URL (`/__sim/` is its control surface), or null when not started. */
  simulatorUrl: string | null;
  /** The worker's base URL (`/relay/...`), or null when not started. */
  workerUrl: string | null;
  simulator: Simulator | null;
  worker: WorkerProcess | null;
  stop(): Promise<void>;
}

/**
 * Starts the 3CX simulator on a free loopback port with its own `database_single` (unique
 * database and role names) in the given cluster, then the real relay worker as a child
 * process pointed at it (owner client, ini file, trunk DIDs, the admin's encryption key, a
 * compressed retry schedule). `stop()` stops the worker (SIGTERM, SIGKILL after 10 s) and the
 * simulator (dropping its database), also when a later start fails.
 */
export async function startLiveSystem(o: LiveSystemOptions): Promise<LiveSystem> {
  const log = o.log ?? (() => {});
  const tag = randomBytes(4).toString('hex');
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    let simulator: Simulator | null = null;
    // Where the simulator writes mailbox audio and the worker reads it (3CX's Data/Voicemail).
    let voicemailDir = '';
    if (o.simulator ?? true) {
      const iniDir = mkdtempSync(path.join(os.tmpdir(), `e2e-sim-${tag}-`));
      stops.push(() => Promise.resolve(rmSync(iniDir, { recursive: true, force: true })));
      voicemailDir = path.join(iniDir, 'voicemail');
      simulator = await startSimulator({
        port: 0,
        pgUrl: o.pgUrl,
        dbName: `database_single_e2e_${tag}`,
        readonlyRole: `logsreader_e2e_${tag}`,
        iniDir,
        voicemailDir,
        timeScale: 0.02,
        // Compressed rings last tens of ms: scripted steps wait until the worker has read each leg.
        waitForReaders: true,
        seed: 6,
        dropOnStop: true,
      });
      const sim = simulator;
      stops.push(() => sim.stop());
      log(`simulator at ${sim.baseUrl}`);
    }

    let worker: WorkerProcess | null = null;
    if (o.worker ?? true) {
      const pbx: Record<string, string> = simulator
        ? {
            PBX_URL: simulator.baseUrl,
            PBX_CLIENT_ID: simulator.clients.owner.clientId,
            PBX_CLIENT_SECRET: simulator.clients.owner.clientSecret,
            PBX_INI_PATH: simulator.iniPath ?? '',
            PBX_TRUNK_DIDS: TRUNK_DIDS,
            PBX_VOICEMAIL_DIR: voicemailDir,
          }
        : { SOURCE_DB_ENABLED: 'false', SOURCE_XAPI_ENABLED: 'false', SOURCE_CALLCONTROL_ENABLED: 'false' };
      worker = new WorkerProcess({
        ...FAST_WORKER_ENV,
        ...pbx,
        DATABASE_URL: o.databaseUrl,
        RELAY_HOST: '127.0.0.1',
        RELAY_PORT: String(await freePort()),
        RELAY_INSTANCE_ID: `e2e-${tag}`,
        RELAY_ENCRYPTION_KEY: o.encryptionKey,
      });
      const w = worker;
      stops.push(async () => {
        const pid = w.pid;
        await w.stop(10_000);
        if (pid) forgetChild(pid);
      });
      const started = w.start(); // spawns synchronously, then waits for /relay/health
      // recorded as soon as it exists, so even a start that hangs is cleaned up
      if (w.pid) recordChild(w.pid);
      await started.catch((err: unknown) => {
        throw new Error(`worker did not start: ${String(err)}\n${w.stderr}`);
      });
      log(`worker at ${w.url}`);
    }

    return {
      simulatorUrl: simulator?.baseUrl ?? null,
      workerUrl: worker?.url ?? null,
      simulator,
      worker,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
