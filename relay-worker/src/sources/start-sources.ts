import type pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { EventStore } from '../events/event-store.js';
import type { StatusBoard } from '../status/status-board.js';
import type { ControlListener } from '../control/control-listener.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import { CallState } from './call-state.js';
import { TokenHolder } from './xapi/token-holder.js';
import { PbxHttp, createPbxDispatcher } from './xapi/pbx-http.js';
import { XapiClient } from './xapi/xapi-client.js';
import { XapiSource } from './xapi/xapi-source.js';
import { LicenceInfo } from './xapi/licence-info.js';
import { ActiveCallsWithFallback } from './xapi/active-calls-with-fallback.js';
import { createPbxDbPool, resolvePbxDb } from './db3cx/pbx-db-pool.js';
import { Db3cxSource } from './db3cx/db3cx-source.js';
import { CdrHistoryReader } from './db3cx/cdr-history.js';
import type { CallHistoryBackends } from '../api/call-history-route.js';
import { cdrSide } from './db3cx/cdr-row.js';
import { CallControlSocket } from './callcontrol/callcontrol-socket.js';
import { CallControlRest } from './callcontrol/callcontrol-rest.js';
import { CallControlSource } from './callcontrol/callcontrol-source.js';

/** The running input half: what the output half and tests use. */
export interface Sources {
  /** Live calls (always present; empty when Call Control is disabled). */
  callState: CallState;
  /** What `/relay/active-calls` answers from: `callState` while Call Control is up, else XAPI. */
  activeCalls: ActiveCallsWithFallback;
  /** XAPI client (call history, active-calls fallback); undefined when XAPI is not configured. */
  xapi: XapiClient | undefined;
  /** Authenticated requests to the PBX (XAPI), when the PBX API is configured. */
  pbxHttp: PbxHttp | undefined;
  /** What `/relay/call-history` can read from: XAPI and/or 3CX's `cdroutput`. */
  callHistory: CallHistoryBackends;
  /** Shared token holder, when the PBX API is configured. */
  tokens: TokenHolder | undefined;
  db3cx: Db3cxSource | undefined;
  /** The db3cx source's current read-only pool on 3CX's database (renewed on reconnect). */
  pbxDbPool: (() => pg.Pool | undefined) | undefined;
  xapiSource: XapiSource | undefined;
  callControl: CallControlSource | undefined;
}

/** The sources themselves, before the API-facing views over them are built. */
type RunningSources = Omit<Sources, 'activeCalls' | 'callHistory'>;

const API_NOT_CONFIGURED = 'PBX_URL, PBX_CLIENT_ID and PBX_CLIENT_SECRET are not all set';

export interface SourceDeps {
  config: Config;
  log: Logger;
  ownPool: pg.Pool;
  events: EventStore;
  status: StatusBoard;
  control: ControlListener;
  lifecycle: Lifecycle;
}

/**
 * Starts every configured source; an unconfigured or disabled one reports `disabled` and the
 * worker runs with the rest. Registers closers and the `reconnect` control command.
 */
export async function startSources(d: SourceDeps): Promise<Sources> {
  const { config: c, log, status } = d;
  const callState = new CallState({
    trunkDids: c.PBX_TRUNK_DIDS,
    didCountry: c.PBX_DID_COUNTRY,
    endGraceMs: c.CALLCONTROL_END_GRACE_MS,
  });
  const out: RunningSources = {
    callState,
    xapi: undefined,
    pbxHttp: undefined,
    tokens: undefined,
    db3cx: undefined,
    pbxDbPool: undefined,
    xapiSource: undefined,
    callControl: undefined,
  };

  const apiConfigured = !!(c.PBX_URL && c.PBX_CLIENT_ID && c.PBX_CLIENT_SECRET);
  if (apiConfigured && (c.SOURCE_XAPI_ENABLED || c.SOURCE_CALLCONTROL_ENABLED)) {
    const dispatcher = createPbxDispatcher({ pbxUrl: c.PBX_URL, insecureTls: c.PBX_TLS_INSECURE });
    d.lifecycle.onClose('pbx-http', () => dispatcher.close());
    const tokens = new TokenHolder(
      { baseUrl: c.PBX_URL!, clientId: c.PBX_CLIENT_ID!, clientSecret: c.PBX_CLIENT_SECRET!, dispatcher },
      log.child({ module: 'token' }),
    );
    const http = new PbxHttp(c.PBX_URL!, tokens, dispatcher);
    const licence = new LicenceInfo(tokens);
    http.licence = licence;
    out.tokens = tokens;
    out.xapi = new XapiClient(http);
    out.pbxHttp = http;
    if (c.SOURCE_XAPI_ENABLED) {
      const xs = new XapiSource(
        {
          client: out.xapi,
          status,
          intervalMs: c.XAPI_HEALTH_INTERVAL_MS,
          degradedLatencyMs: c.XAPI_DEGRADED_LATENCY_MS,
          invalidateToken: () => tokens.invalidate(),
          licence: {
            refresh: () => licence.refresh(http),
            get current() {
              return licence.current;
            },
          },
        },
        log.child({ module: 'xapi' }),
      );
      xs.start();
      d.lifecycle.onClose('xapi', () => xs.stop());
      out.xapiSource = xs;
    }
    if (c.SOURCE_CALLCONTROL_ENABLED) {
      const socket = new CallControlSocket(
        {
          baseUrl: c.PBX_URL!,
          tokens,
          pingIntervalMs: c.CALLCONTROL_PING_INTERVAL_MS,
          reconnectBaseMs: c.RECONNECT_BASE_MS,
          reconnectMaxMs: c.RECONNECT_MAX_MS,
          insecureTls: c.PBX_TLS_INSECURE,
          licence,
        },
        log.child({ module: 'callcontrol-ws' }),
      );
      const xapi = c.SOURCE_XAPI_ENABLED ? out.xapi : undefined;
      const cc = new CallControlSource(
        {
          socket,
          rest: new CallControlRest(http),
          state: callState,
          events: d.events,
          status,
          ownPool: d.ownPool,
          reconcileMs: c.CALLCONTROL_RECONCILE_INTERVAL_MS,
          sweepMs: Math.max(100, Math.min(1000, Math.floor(c.CALLCONTROL_END_GRACE_MS / 2) || 100)),
          ...(xapi
            ? { activeCallIds: async () => new Set((await xapi.activeCalls()).map((a) => a.Id)) }
            : {}),
        },
        log.child({ module: 'callcontrol' }),
      );
      await cc.start();
      d.lifecycle.onClose('callcontrol', () => cc.stop());
      out.callControl = cc;
    }
  }
  if (!apiConfigured || !c.SOURCE_XAPI_ENABLED)
    await status.set('xapi', {
      status: 'disabled',
      ...(apiConfigured ? {} : { error: API_NOT_CONFIGURED }),
    });
  if (!apiConfigured || !c.SOURCE_CALLCONTROL_ENABLED)
    await status.set('callcontrol', { status: 'disabled' });

  let dbPool: pg.Pool | undefined;
  let dbMissing = 'SOURCE_DB_ENABLED is false';
  if (c.SOURCE_DB_ENABLED) {
    const resolved = resolvePbxDb(c);
    if (resolved.ok) {
      if (resolved.warning)
        await status.reportError('db3cx', 'warning', 'DB3CX_MASTER_ACCOUNT', resolved.warning);
      const dbLog = log.child({ module: 'db3cx' });
      const src = new Db3cxSource(
        {
          // The call-history reader shares the source's current pool (renewed on reconnect).
          createPool: () => (dbPool = createPbxDbPool(resolved.config, c.PBX_DB_STATEMENT_TIMEOUT_MS, dbLog)),
          ownPool: d.ownPool,
          events: d.events,
          status,
          table: c.PBX_CDR_TABLE,
          trunkDids: c.PBX_TRUNK_DIDS,
          didCountry: c.PBX_DID_COUNTRY,
          overlapMs: c.CDR_OVERLAP_MS,
          quietMs: c.CDR_FLOW_QUIET_MS,
          partialWaitMs: c.CDR_PARTIAL_FLOW_WAIT_MS,
          intervalMs: c.CDR_POLL_INTERVAL_MS,
          reconnectBaseMs: c.RECONNECT_BASE_MS,
          reconnectMaxMs: c.RECONNECT_MAX_MS,
          callIdFor: (rows) => {
            const first = rows.reduce((a, b) =>
              (a.cdr_started_at?.getTime() ?? 0) <= (b.cdr_started_at?.getTime() ?? 0) ? a : b,
            );
            const numbers = rows
              .flatMap((r) => [cdrSide(r, 'source'), cdrSide(r, 'destination')])
              .flatMap((s) => [s.phoneNumber, s.dnNumber])
              .filter((n): n is string => !!n);
            return first.cdr_started_at
              ? callState.findRecentCall(first.cdr_started_at.getTime(), numbers)
              : null;
          },
        },
        dbLog,
      );
      src.start();
      d.lifecycle.onClose('db3cx', () => src.stop());
      out.db3cx = src;
      out.pbxDbPool = () => dbPool;
      dbLog.info({ source: resolved.source }, '3CX database source started');
    } else {
      dbMissing = resolved.reason;
      await status.set('db3cx', { status: 'disabled', error: resolved.reason });
    }
  } else {
    await status.set('db3cx', { status: 'disabled' });
  }
  const activeCalls = new ActiveCallsWithFallback({
    live: callState,
    status,
    xapi: out.xapi,
    unavailable: apiConfigured
      ? 'SOURCE_XAPI_ENABLED and SOURCE_CALLCONTROL_ENABLED are both false'
      : API_NOT_CONFIGURED,
  });
  const callHistory = callHistoryBackends(
    d,
    { xapi: out.xapi, xapiEnabled: apiConfigured && c.SOURCE_XAPI_ENABLED },
    out.db3cx ? () => dbPool : undefined,
    dbMissing,
  );

  d.control.on('reconnect', async (args) => {
    const component = args.component;
    if (component === 'db3cx') return out.db3cx ? out.db3cx.reconnect() : 'db3cx is disabled';
    if (component === 'xapi') return out.xapiSource ? out.xapiSource.reconnect() : 'xapi is disabled';
    if (component === 'callcontrol')
      return out.callControl ? out.callControl.reconnect() : 'callcontrol is disabled';
    throw new Error(`unknown component ${JSON.stringify(component)}; expected db3cx, xapi or callcontrol`);
  });
  return { ...out, activeCalls, callHistory };
}

/**
 * The call-history readers: XAPI's client, and a `cdroutput` reader on the db3cx source's pool;
 * without that source, `CALL_HISTORY_SOURCE=cdroutput` gets a small read-only pool of its own.
 */
function callHistoryBackends(
  d: SourceDeps,
  base: Pick<CallHistoryBackends, 'xapi' | 'xapiEnabled'>,
  sourcePool: (() => pg.Pool | undefined) | undefined,
  dbMissing: string,
): CallHistoryBackends {
  const c = d.config;
  const table = c.PBX_CDR_TABLE;
  if (sourcePool)
    return {
      ...base,
      cdroutput: new CdrHistoryReader({ pool: sourcePool, table }),
      cdroutputMissing: undefined,
    };
  if (c.CALL_HISTORY_SOURCE !== 'cdroutput')
    return { ...base, cdroutput: undefined, cdroutputMissing: dbMissing };
  const resolved = resolvePbxDb(c);
  if (!resolved.ok) return { ...base, cdroutput: undefined, cdroutputMissing: resolved.reason };
  const log = d.log.child({ module: 'cdr-history' });
  const pool = createPbxDbPool(resolved.config, c.PBX_DB_STATEMENT_TIMEOUT_MS, log);
  d.lifecycle.onClose('cdr-history', () => pool.end());
  log.info({ source: resolved.source }, "call history reads 3CX's cdroutput (database source disabled)");
  return {
    ...base,
    cdroutput: new CdrHistoryReader({ pool: () => pool, table }),
    cdroutputMissing: undefined,
  };
}
