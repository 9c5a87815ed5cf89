import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { TokenStore, type ApiClient } from './auth/token-store.js';
import { CallControlWs } from './callcontrol/ws-server.js';
import { HistoryStore } from './cdr/history-store.js';
import { CdrWriter } from './db/cdr-writer.js';
import { dropDatabase, provisionDatabase, setDatabaseOnline, withDatabase } from './db/provision.js';
import { TableStall } from './db/table-stall.js';
import { FaultController } from './faults/fault-controller.js';
import { createHttpServer } from './http/server.js';
import { writeIni } from './ini/write-ini.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { createDirectory } from './pbx/directory.js';
import { PbxRuntime } from './pbx/pbx-runtime.js';
import { PbxState } from './pbx/pbx-state.js';
import { PresenceSchedule } from './pbx/presence-schedule.js';
import { UserStore } from './pbx/users.js';
import { LoadGenerator } from './scenarios/load-generator.js';
import { scenarioNames } from './scenarios/registry.js';
import type { SimContext } from './sim-context.js';
import { buildHandle, type Simulator } from './simulator-handle.js';
import { Rng } from './util/rng.js';

/** Calls per second in demo mode: one new call every 8 s. */
const DEMO_RATE = 0.125;

/**
 * Starts a 3CX V20 simulator on 127.0.0.1: provisions its database and read-only role,
 * writes the ini (when `iniDir` is given), serves token/XAPI/Call Control/WS and the
 * `/__sim/` control API, and starts the scenario / load / demo given in `options`.
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const opts = resolveOptions(options);
  const db = await provisionDatabase(opts.pgUrl, opts.dbName, opts.readonlyRole, {
    voicemailTable: opts.voicemailTable,
  });
  const secret = () => randomBytes(24).toString('base64url');
  const owner: ApiClient = {
    clientId: '900',
    clientSecret: secret(),
    role: 'System Owner',
    routePoint: '900',
    monitored: [...opts.ownerMonitors, ...(opts.monitorQueueIvr ? ['600', '800'] : [])],
  };
  const admin: ApiClient = {
    clientId: '901',
    clientSecret: secret(),
    role: 'System Admin',
    routePoint: '901',
    monitored: ['101'],
  };
  const dir = createDirectory([owner.routePoint, admin.routePoint], opts.extensionCount);
  const users = new UserStore(dir);
  const state = new PbxState(dir, opts.unregisteredExtensions);
  const history = new HistoryStore({
    extensions: opts.recordExtensions,
    transcribe: opts.transcribeRecordings,
  });
  const faults = new FaultController(opts.seed);
  const log = opts.log ?? (() => undefined);
  const writer = new CdrWriter(
    db.writerUrl,
    dir.queue.number,
    log,
    () => faults.settings.dataConnector,
    opts.voicemailTable,
  );
  const stall = new TableStall(withDatabase(opts.pgUrl, opts.dbName));
  const runtime = new PbxRuntime(opts, dir, state, history, (call) => writer.write(call));
  const ctx: SimContext = {
    opts,
    dir,
    state,
    users,
    history,
    faults,
    counters: { participantGets: 0, requests: {} },
    clients: [owner, admin],
    baseUrl: '',
    tokens: new TokenStore(
      [owner, admin],
      opts.tokenLifetimeSec,
      () => ctx.baseUrl,
      () => faults.settings.licence,
    ),
    flowEnv: () => runtime.env(),
    spawn: (flow) => runtime.spawn(flow),
  };
  const ws = new CallControlWs(ctx);
  if (opts.newTokenClosesSockets) ctx.tokens.onIssue = (clientId) => ws.closeClient(clientId);
  const load = new LoadGenerator(
    new Rng(opts.seed ^ 0x10ad),
    (name) => void runtime.runScenario(name).catch(() => undefined),
  );
  let loadRate = 0;
  const setLoadRate = (rate: number) => {
    loadRate = rate;
    load.setRate(rate);
  };
  const restart = (): Promise<void> => {
    ws.dropAll();
    ctx.tokens.reset();
    runtime.restart();
    return Promise.resolve();
  };
  const presence = new PresenceSchedule(
    users,
    new Rng(opts.seed ^ 0x9e5),
    opts.presenceChangeEverySec ?? (opts.demo ? 45 : 0),
    opts.timeScale,
  );
  presence.start();
  const server = createHttpServer(ctx, ws, {
    faults,
    users,
    restart,
    setLoadRate,
    scenarioNames,
    state: () => handle.state(),
    runScenario: (name, o) => runtime.runScenario(name, o),
  });
  faults.attach({
    dropWebSockets: () => ws.dropAll(),
    revokeTokens: (id) => ctx.tokens.revoke(id),
    sendMalformed: (kind) => ws.sendMalformed(kind),
    repeatUpserts: (count) => ws.repeatUpserts(count),
    sendKeypad: (digits, promptFinished) => ws.sendKeypad(digits, promptFinished),
    setDbStall: (stalled) => stall.set(stalled),
    setDbDown: async (down) => {
      if (opts.pgCluster) await (down ? opts.pgCluster.kill() : opts.pgCluster.start());
      else await setDatabaseOnline(opts.pgUrl, opts.dbName, !down);
      if (!down) await writer.flush();
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  ctx.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const iniLayout = opts.iniLayout ?? (opts.version === '20.0.8' ? 'sections' : 'flat');
  const iniPath = opts.iniDir
    ? writeIni(
        opts.iniDir,
        {
          host: db.host,
          port: db.port,
          dbName: opts.dbName,
          readonlyUser: opts.readonlyRole,
          readonlyPassword: db.readonlyPassword,
        },
        iniLayout,
        secret(),
      )
    : undefined;

  const handle = buildHandle({
    ctx,
    runtime,
    ws,
    writer,
    iniPath,
    readonlyDbUrl: db.readonlyUrl,
    restart,
    setLoadRate,
    loadRate: () => loadRate,
    stop: async () => {
      await stall.set(false); // calls waiting on the lock can finish
      load.stop();
      presence.stop();
      await runtime.stop();
      ws.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (faults.settings.dbDown) await faults.clear().catch(() => undefined);
      await writer.close();
      if (opts.dropOnStop) await dropDatabase(opts.pgUrl, opts.dbName, opts.readonlyRole);
    },
  });
  if (opts.scenario)
    void handle
      .runScenario(opts.scenario)
      .catch((err: unknown) => log('scenario failed', { err: (err as Error).message }));
  if (opts.loadRate) setLoadRate(opts.loadRate);
  else if (opts.demo) setLoadRate(DEMO_RATE);
  return handle;
}
