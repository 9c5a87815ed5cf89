import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { LazyPrisma } from '../db/lazy-prisma.js';
import type { OutboxSlot } from '../delivery/outbox.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { EventStore } from '../events/event-store.js';
import type { StatusBoard } from '../status/status-board.js';
import type { ControlListener } from '../control/control-listener.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import { coerceError } from '../errors.js';
import { ApiKeyVerifier } from '../auth/api-key-verifier.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { UsageRecorder } from '../auth/usage-recorder.js';
import { DeliveryService } from '../delivery/delivery-service.js';
import { EventTail } from '../fanout/event-tail.js';
import { WsHub } from '../fanout/ws-hub.js';
import { registerEventStreamRoute } from '../fanout/sse-route.js';
import { snapshotProvider, type PresenceState, type SnapshotSources } from '../fanout/live-snapshot.js';
import { installApiAuth } from '../api/api-auth.js';
import { registerActiveCallsRoute, type LiveCalls } from '../api/active-calls-route.js';
import { registerCallHistoryRoute, type CallHistoryBackends } from '../api/call-history-route.js';
import { registerMetricsRoute } from '../api/metrics-route.js';
import { registerOpenApiRoute } from '../api/openapi.js';
import { registerCatalogueRoutes } from '../api/catalogue-routes.js';
import { registerMediaRoutes, type MediaRouteDeps } from '../api/media/media-route.js';
import { WEBHOOK_SCOPES } from '../api/webhooks/webhook-access.js';
import { registerWebhookRoutes } from '../api/webhooks/webhook-routes.js';
import { registerWebhookActionRoutes } from '../api/webhooks/webhook-action-routes.js';
import { RelayMetrics } from '../stats/relay-metrics.js';
import { startAdminTablePruner } from '../maintenance/prune-admin-tables.js';
import { StatSampler, type StatSink } from '../stats/stat-sampler.js';

export interface OutputDeps {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  /** Prisma, for the webhook management API only; loaded on that API's first authenticated call. */
  prisma: LazyPrisma;
  events: EventStore;
  /** The outbox hook's slot, registered on `events` before any source started. */
  outbox?: OutboxSlot;
  status: StatusBoard;
  control: ControlListener;
  lifecycle: Lifecycle;
  heartbeat: StatSink;
  calls: LiveCalls & SnapshotSources['calls'];
  /** The Call Control source, when it runs (snapshots are taken inside its task queue). */
  callControl: SnapshotSources['callControl'];
  history: CallHistoryBackends;
  /** Agent and queue state for snapshots. */
  presence?: PresenceState | undefined;
  /** Recording and voicemail links and audio origins (`/relay/recordings`, `/relay/voicemails`). */
  media?: Omit<MediaRouteDeps, 'auth'> | undefined;
}

/** The running output half. */
export interface Outputs {
  metrics: RelayMetrics;
  delivery: DeliveryService;
  verifier: ApiKeyVerifier;
  hub: WsHub;
  /** Per-minute `stat_samples` and heartbeat figures. */
  stats: StatSampler;
  /**
   * Adds the REST routes and the WebSocket upgrade to the HTTP server (before listen). Register
   * `hub.stop` as a closer after the HTTP server's, so clients get 1001 before it closes.
   */
  attach(app: FastifyInstance): void;
}

/**
 * Starts the output half: webhook delivery (outbox + dispatcher), the event tail and
 * WebSocket hub, API-key verification with usage batching, and live figures. Registers the
 * control commands and closers.
 */
export async function startOutputs(d: OutputDeps): Promise<Outputs> {
  const { config: c, log, pool, lifecycle } = d;
  const metrics = new RelayMetrics();
  metrics.watchAppends(d.events);
  const retentionMs = c.EVENT_RETENTION_DAYS * 86_400_000;

  const delivery = new DeliveryService(
    { pool, store: d.events, status: d.status, metrics, log, outbox: d.outbox },
    {
      retryScheduleMs: c.DELIVERY_RETRY_SCHEDULE,
      retryJitter: c.DELIVERY_RETRY_JITTER,
      timeoutMs: c.DELIVERY_TIMEOUT_MS,
      disableAfterMs: c.DELIVERY_DISABLE_AFTER_MS,
      failingAfterMs: c.DELIVERY_FAILING_AFTER_MS,
      pollMs: c.DELIVERY_POLL_MS,
      maxInFlight: c.DELIVERY_MAX_IN_FLIGHT,
      leaseMs: c.DELIVERY_LEASE_MS,
      retentionMs,
      encryptionKey: c.RELAY_ENCRYPTION_KEY,
    },
  );
  delivery.registerCommands(d.control);
  await delivery.start();
  lifecycle.onClose('delivery', () => delivery.stop());

  const verifier = new ApiKeyVerifier(pool, log.child({ module: 'api-keys' }), {
    cacheMs: c.API_KEY_CACHE_MS,
    onCheck: (outcome) => metrics.apiKeyChecks.inc({ outcome }),
  });
  verifier.startPeriodicRevalidation(c.API_KEY_REVALIDATE_MS);
  lifecycle.onClose('api-keys', () => verifier.stop());
  d.control.on('reload-keys', async () => `revoked ${(await verifier.revalidate()).length} cached keys`);
  const usage = new UsageRecorder(pool, log.child({ module: 'api-usage' }));
  usage.start(c.API_USAGE_FLUSH_MS);
  lifecycle.onClose('api-usage', () => usage.stop());
  const limiter = new RateLimiter(c.API_RATE_LIMIT_PER_MINUTE);

  const tail = new EventTail(pool, c.DATABASE_URL, d.events, log.child({ module: 'event-tail' }));
  await tail.start();
  lifecycle.onClose('event-tail', () => tail.stop());
  const hub = new WsHub(
    {
      pool,
      verifier,
      limiter,
      usage,
      metrics,
      log: log.child({ module: 'fanout' }),
      retentionMs,
      snapshot: snapshotProvider({
        callControl: d.callControl,
        calls: d.calls,
        position: () => tail.lastEmitted,
        presence: d.presence,
      }),
    },
    {
      pingIntervalMs: c.WS_PING_INTERVAL_MS,
      maxBufferedBytes: c.WS_MAX_BUFFERED_BYTES,
      maxConnectionsPerKey: c.WS_MAX_CONNECTIONS_PER_KEY,
      startSequence: tail.position,
    },
  );
  tail.on('events', (events) => hub.broadcast(events));
  // Other workers' appends reach this dispatcher too (its own leave rows it did not lease
  // to the claim loop, and wake it themselves).
  tail.on('foreign', () => delivery.dispatcher.wake());
  void d.status.set('fanout', { status: 'up' });

  lifecycle.onClose(
    'admin-pruner',
    startAdminTablePruner(pool, log.child({ module: 'prune' }), c.AUDIT_RETENTION_DAYS * 86_400_000),
  );

  const sampler = new StatSampler(pool, metrics, d.heartbeat, log.child({ module: 'stats' }));
  sampler.start();
  lifecycle.onClose('stats', () => sampler.stop());

  return {
    metrics,
    delivery,
    verifier,
    hub,
    stats: sampler,
    attach(app) {
      const auth = installApiAuth(app, { verifier, limiter, usage, metrics });
      registerActiveCallsRoute(app, {
        calls: d.calls,
        auth: auth.requireScope('calls:read'),
        onChange: (fn) => d.events.on('appended', fn),
      });
      registerCallHistoryRoute(app, {
        history: d.history,
        mode: c.CALL_HISTORY_SOURCE,
        auth: auth.requireScope('history:read'),
      });
      registerMetricsRoute(app, { metrics, anyKey: auth.requireScope(null) });
      registerEventStreamRoute(app, { hub, auth: auth.requireScope('events:subscribe'), usage, metrics });
      const webhookAuth = auth.requireScope(WEBHOOK_SCOPES);
      const webhookApi = {
        db: d.prisma.db,
        pool,
        // After the key check, Prisma is loaded (once) before the route runs.
        auth: async function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
          await webhookAuth.call(this, req, reply);
          if (!reply.sent) await d.prisma.ready();
        },
        delivery,
        events: d.events,
        encryptionKey: c.RELAY_ENCRYPTION_KEY,
        retentionMs,
      };
      registerWebhookRoutes(app, webhookApi);
      registerWebhookActionRoutes(app, webhookApi);
      if (d.media) registerMediaRoutes(app, { ...d.media, auth: auth.requireScope('recordings:read') });
      registerOpenApiRoute(app);
      registerCatalogueRoutes(app);
      app.server.on('upgrade', (req, socket, head) => {
        try {
          if (!hub.handleUpgrade(req, socket, head)) socket.destroy();
        } catch (err) {
          log.warn({ err: coerceError(err) }, 'upgrade handler failed');
          socket.destroy();
        }
      });
    },
  };
}
