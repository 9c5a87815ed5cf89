import type { CallControlWs } from './callcontrol/ws-server.js';
import type { CdrWriter } from './db/cdr-writer.js';
import type { FaultInput, FaultSettings } from './faults/fault-controller.js';
import type { MalformedResponseKind } from './http/malformed-response.js';
import type { PbxRuntime, ScenarioOptions, ScenarioSummary } from './pbx/pbx-runtime.js';
import type { ParticipantEvent } from './pbx/pbx-state.js';
import { scenarioNames } from './scenarios/registry.js';
import type { SimContext } from './sim-context.js';
import type { SimQueue, SimUser, UserPatch } from './pbx/users.js';
import { listActiveCalls } from './xapi/active-calls.js';

/** An API client's credentials. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** A snapshot of the simulator for tests and `GET /__sim/state`. */
export interface SimState {
  version: string;
  activeCalls: Record<string, unknown>[];
  /** Live participants per DN: extensions, route points, IVR 600 and queue 800. */
  participants: Record<string, unknown[]>;
  wsConnections: number;
  /** Last CDR-id counter value (resets on restart). */
  cdrCounter: number;
  finishedCalls: number;
  pendingCdrWrites: number;
  /** cdroutput rows the `dataConnector` fault deleted (`purgeAfterSync`) since start. */
  cdrsPurged: number;
  loadRate: number;
  faults: FaultSettings;
  /** Broken bodies served by the `malformedResponses` fault since start, per kind. */
  malformedResponsesServed: Partial<Record<MalformedResponseKind, number>>;
  /** Requests refused by an `httpErrors` fault so far, per `pathPrefix`. */
  httpErrorsServed: Record<string, number>;
  /** Frames sent by the `repeatUpserts` fault since start. */
  upsertsRepeated: number;
  /** DTMFstring and PromptPlaybackFinished frames sent by the `keypad` action since start. */
  keypadFramesSent: number;
  /** Call Control participant GETs (`/callcontrol/{dn}/participants/{id}`) served since start. */
  participantGets: number;
  /**
   * HTTP requests to the PBX surfaces since start, by surface: `xapi:<entity>` (e.g.
   * `xapi:Users`, `xapi:Queues`), `callcontrol`, `/connect/token` (benchmarks of the relay's cost).
   */
  requests: Record<string, number>;
}

/** A Call Control change the simulator has just written to the WebSockets (see `onCallControlFrame`). */
export interface CallControlFrame {
  /** `0` Upsert, `1` Remove. */
  eventType: 0 | 1;
  dn: string;
  participantId: number;
  /** The participant's 3CX callid (Upserts; null for a Remove). */
  callId: string | null;
  /** Wall clock when the frames were written, ms since the epoch with sub-ms resolution (`performance.timeOrigin + performance.now()`). */
  at: number;
}

/** The running simulator. */
export interface Simulator {
  baseUrl: string;
  clients: { owner: ClientCredentials; admin: ClientCredentials };
  readonlyDbUrl: string;
  iniPath?: string;
  dbName: string;
  readonlyRole: string;
  /** Runs a named scenario; resolves when the flow has ended and its CDRs are written. */
  runScenario(name: string, o?: ScenarioOptions): Promise<ScenarioSummary>;
  scenarioNames(): string[];
  faults: {
    set(input: FaultInput): Promise<FaultSettings>;
    clear(): Promise<FaultSettings>;
    readonly settings: FaultSettings;
  };
  /** Users' presence, queue login and registration, and the queues' agents (as XAPI serves them). */
  users: {
    list(): SimUser[];
    /** What a user does on their phone or app: change profile, log in/out of queues, (un)register. */
    set(number: string, patch: UserPatch): SimUser;
    /** Replaces a queue's agents. */
    setQueueAgents(queue: string, agents: string[]): SimQueue;
    readonly queues: SimQueue[];
  };
  /** Simulated PBX restart: WS dropped, tokens invalid, live calls gone, CDR counter reset to 1. */
  restart(): Promise<void>;
  setLoadRate(callsPerSecond: number): void;
  /**
   * Calls `listener` right after each participant change has been written to every Call
   * Control WebSocket (instrumentation for end-to-end latency benchmarks; it models nothing
   * of 3CX). Returns an unsubscribe function.
   */
  onCallControlFrame(listener: (frame: CallControlFrame) => void): () => void;
  state(): SimState;
  stop(): Promise<void>;
}

interface HandleParts {
  ctx: SimContext;
  runtime: PbxRuntime;
  ws: CallControlWs;
  writer: CdrWriter;
  iniPath: string | undefined;
  readonlyDbUrl: string;
  restart(): Promise<void>;
  setLoadRate(rate: number): void;
  loadRate(): number;
  stop(): Promise<void>;
}

/** Assembles the public handle. */
export function buildHandle(p: HandleParts): Simulator {
  const { ctx } = p;
  const creds = (i: number): ClientCredentials => {
    const c = ctx.clients[i];
    if (!c) throw new Error('client missing');
    return { clientId: c.clientId, clientSecret: c.clientSecret };
  };
  let stopped: Promise<void> | undefined;
  return {
    baseUrl: ctx.baseUrl,
    clients: { owner: creds(0), admin: creds(1) },
    readonlyDbUrl: p.readonlyDbUrl,
    ...(p.iniPath ? { iniPath: p.iniPath } : {}),
    dbName: ctx.opts.dbName,
    readonlyRole: ctx.opts.readonlyRole,
    runScenario: (name, o) => p.runtime.runScenario(name, o),
    scenarioNames,
    faults: {
      set: (input) => ctx.faults.set(input),
      clear: () => ctx.faults.clear(),
      get settings() {
        return ctx.faults.settings;
      },
    },
    users: {
      list: () => ctx.users.list().map((u) => ({ ...u })),
      set: (number, patch) => ({ ...ctx.users.set(number, patch) }),
      setQueueAgents: (queue, agents) => ctx.users.setQueueAgents(queue, agents),
      get queues() {
        return ctx.users.queues;
      },
    },
    restart: () => p.restart(),
    setLoadRate: (rate: number) => p.setLoadRate(rate),
    onCallControlFrame(listener) {
      // Registered after the WebSocket server's own listener: it runs once the frames are written.
      const onEvent = (e: ParticipantEvent) => {
        const at = performance.timeOrigin + performance.now();
        const callid =
          e.eventType === 0
            ? ctx.state.participantsOf(e.dn).find((x) => x.id === e.participantId)?.callid
            : undefined;
        listener({ ...e, callId: callid === undefined ? null : String(callid), at });
      };
      ctx.state.on('participant', onEvent);
      return () => void ctx.state.off('participant', onEvent);
    },
    state: () => ({
      version: ctx.opts.version,
      activeCalls: listActiveCalls(ctx.state),
      participants: Object.fromEntries(
        ctx.dir.extensions
          .concat(ctx.dir.routePoints, [ctx.dir.ivr, ctx.dir.queue])
          .map((d) => [d.number, ctx.state.participantsOf(d.number)]),
      ),
      wsConnections: p.ws.connectionCount,
      cdrCounter: p.runtime.ids.current,
      finishedCalls: ctx.history.calls.length,
      pendingCdrWrites: p.writer.pending,
      cdrsPurged: p.writer.purged,
      loadRate: p.loadRate(),
      faults: ctx.faults.settings,
      malformedResponsesServed: { ...ctx.faults.malformedServed },
      httpErrorsServed: { ...ctx.faults.httpErrorsServed },
      upsertsRepeated: ctx.faults.upsertsRepeated,
      keypadFramesSent: ctx.faults.keypadFramesSent,
      participantGets: ctx.counters.participantGets,
      requests: { ...ctx.counters.requests },
    }),
    stop: () => (stopped ??= p.stop()),
  };
}
