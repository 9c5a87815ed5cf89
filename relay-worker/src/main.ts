import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { migrate } from '@3cx-relay/db/migrate';
import pg from 'pg';
import { guardPoolErrors } from './db/guard-pool-errors.js';
import { OWN_DB_SESSION_OPTIONS } from './db/session-options.js';
import { lazyPrisma } from './db/lazy-prisma.js';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { coerceError } from './errors.js';
import { Lifecycle } from './lifecycle/lifecycle.js';
import { StatusBoard } from './status/status-board.js';
import { startOwnDbProbe } from './status/own-db-probe.js';
import { buildServer } from './http/server.js';
import { keyFromHeaders } from './auth/api-key-verifier.js';
import { clientAddress } from './http/direct-loopback.js';
import { VERSION } from './version.js';
import { EventStore } from './events/event-store.js';
import { ControlListener } from './control/control-listener.js';
import { Heartbeat } from './status/heartbeat.js';
import { startSources, type Sources } from './sources/start-sources.js';
import { startOutputs, type Outputs } from './outputs/start-outputs.js';
import { startPresence, type Presence } from './sources/agents/start-presence.js';
import { startMedia, type Media } from './sources/recordings/start-media.js';
import { StatusChangeEvents } from './status/status-change-events.js';
import { OutboxSlot } from './delivery/outbox.js';

/** A running worker, as returned by {@link startWorker} (tests start it in-process). */
export interface Worker {
  config: Config;
  pool: pg.Pool;
  url: string;
  status: StatusBoard;
  events: EventStore;
  control: ControlListener;
  heartbeat: Heartbeat;
  sources: Sources;
  /** Agent and queue state and the wallboard publisher. */
  presence: Presence;
  /** Recordings (and voicemail) sources, links and audio origins. */
  media: Media;
  outputs: Outputs;
  lifecycle: Lifecycle;
  /** The HTTP server (REST routes and the WebSocket upgrade). */
  http: FastifyInstance;
  stop(): Promise<void>;
}

/**
 * The composition root: config → logger → own database → status → sources → delivery →
 * fan-out → HTTP. Each part registers its closer; stop() drains them in reverse.
 */
export async function startWorker(config: Config, log: Logger): Promise<Worker> {
  const startedAt = new Date();
  const instanceId =
    config.RELAY_INSTANCE_ID ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const lifecycle = new Lifecycle(log);

  const migrated = await migrate(config.DATABASE_URL, { log: (line) => log.info(line) });
  if (migrated.applied.length) log.info({ applied: migrated.applied }, 'database migrated');

  // Raw SQL on the relay's own database for hot paths (event store, outbox, dispatcher, LISTEN).
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: 20,
    application_name: '3cx-relay-worker',
    options: OWN_DB_SESSION_OPTIONS, // jit=off
  });
  guardPoolErrors(pool, log, 'own-database');
  lifecycle.onClose('pool', () => pool.end());
  // Prisma only for the webhook management API, loaded on its first use (see lazy-prisma.ts).
  const prisma = lazyPrisma(config.DATABASE_URL, { max: 10, applicationName: '3cx-relay-worker' });
  lifecycle.onClose('database', () => prisma.close());
  const status = new StatusBoard(pool, log.child({ module: 'status' }), {
    historyEveryMs: config.STATUS_HEARTBEAT_MS,
  });
  lifecycle.onClose('own-db-probe', startOwnDbProbe(pool, status, log.child({ module: 'own-db' })));
  const events = new EventStore(pool, log.child({ module: 'events' }));
  // The outbox joins every append from the first one: sources start (and catch up on what
  // happened while the worker was down) before the delivery service exists below, and an event
  // stored without its deliveries would never be sent. kill -9 + restart lost them before.
  const outbox = new OutboxSlot();
  events.useOutbox(outbox);
  const statusEvents = new StatusChangeEvents(pool, events, log.child({ module: 'status-events' }));
  await statusEvents.load();
  statusEvents.attach(status);
  lifecycle.onClose('status-events', () => statusEvents.stop());
  const control = new ControlListener(
    {
      databaseUrl: config.DATABASE_URL,
      reconnectBaseMs: config.RECONNECT_BASE_MS,
      reconnectMaxMs: config.RECONNECT_MAX_MS,
    },
    log.child({ module: 'control' }),
  );
  lifecycle.onClose('control', () => control.stop());
  const sources = await startSources({ config, log, ownPool: pool, events, status, control, lifecycle });
  const presence = await startPresence({ config, log, pool, events, status, lifecycle, sources });
  const media = startMedia({ config, log, pool, events, status, lifecycle, sources });
  // Which 3CX API client this worker reads with (when it does): several workers may share the
  // outbox, but not an API client, since 3CX keeps one active token per client.
  const pbxApiClient = sources.tokens ? `${config.PBX_CLIENT_ID}@${config.PBX_URL}` : null;
  const heartbeat = new Heartbeat(pool, log.child({ module: 'heartbeat' }), {
    instanceId,
    version: VERSION,
    startedAt,
    everyMs: config.WORKER_HEARTBEAT_MS,
    onOtherWorker: (other) => {
      if (pbxApiClient === null || other.pbxApiClient !== pbxApiClient) return;
      void status.reportError(
        'worker',
        'error',
        'WORKER_DUPLICATE',
        `another relay-worker reads 3CX with the same API client (${pbxApiClient}): ${other.hostname} ` +
          `pid ${other.pid} (${other.instanceId}, version ${other.version}). 3CX keeps one active token per ` +
          `client, so the two keep invalidating each other's tokens; stop one, or give each its own API client.`,
        { ...other },
      );
    },
  });
  heartbeat.setStat('pbxApiClient', pbxApiClient ?? undefined);
  heartbeat.start();
  lifecycle.onClose('heartbeat', () => heartbeat.stop());

  // Delivery, fan-out, API keys and live figures (see src/outputs/start-outputs.ts).
  const outputs = await startOutputs({
    config,
    log,
    pool,
    prisma,
    events,
    outbox,
    status,
    control,
    lifecycle,
    heartbeat,
    calls: sources.activeCalls,
    callControl: sources.callControl,
    history: sources.callHistory,
    presence,
    media,
  });

  // After every handler is registered: pending commands run at once.
  await control.start();

  const app = buildServer({
    log,
    status,
    instanceId,
    startedAt,
    hasValidKey: async (req) => {
      const presented = keyFromHeaders(req.headers);
      return !!presented && !!(await outputs.verifier.verify(presented, clientAddress(req)));
    },
  });
  outputs.attach(app);
  await app.listen({ host: config.RELAY_HOST, port: config.RELAY_PORT });
  lifecycle.onClose('http', () => app.close());
  lifecycle.onClose('fanout', () => outputs.hub.stop()); // runs before 'http': clients get 1001 first
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.RELAY_PORT;
  const url = `http://${config.RELAY_HOST}:${port}`;
  log.info({ url, version: VERSION, instanceId }, 'relay-worker listening');

  return {
    config,
    pool,
    url,
    status,
    events,
    control,
    heartbeat,
    sources,
    presence,
    media,
    outputs,
    lifecycle,
    http: app,
    stop: () => lifecycle.shutdown('stop'),
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`relay-worker: ${err.message}\n`);
      process.exit(78); // EX_CONFIG: systemd will not restart-loop on a bad config (RestartPreventExitStatus)
    }
    throw err;
  }
  const log = createLogger({ level: config.LOG_LEVEL, file: config.LOG_FILE });
  process.on('unhandledRejection', (reason) =>
    log.error({ err: coerceError(reason) }, 'unhandled rejection'),
  );
  try {
    const worker = await startWorker(config, log);
    worker.lifecycle.installSignalHandlers();
  } catch (err) {
    log.fatal({ err: coerceError(err) }, 'relay-worker failed to start');
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
