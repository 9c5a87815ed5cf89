import client from 'prom-client';

/**
 * The worker's figures: Prometheus metrics (served at /relay/metrics) plus plain running
 * totals that {@link StatSampler} turns into per-minute `stat_samples` and heartbeat stats.
 * One instance per worker, created in the composition root and passed to each domain.
 */
export class RelayMetrics {
  readonly registry = new client.Registry();

  /** Running totals since start (never reset; samplers take differences). */
  readonly totals = {
    deliveriesSucceeded: 0,
    deliveriesFailed: 0,
    wsMessages: 0,
    wsSlowDisconnects: 0,
    apiRequests: 0,
  };
  /** Current WebSocket clients. */
  wsClients = 0;

  readonly deliveryAttempts = new client.Counter({
    name: 'relay_delivery_attempts_total',
    help: 'Webhook delivery attempts by result (succeeded, failed).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly deliveryDuration = new client.Histogram({
    name: 'relay_delivery_attempt_duration_seconds',
    help: 'Duration of webhook delivery attempts.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [this.registry],
  });
  readonly deliveriesInFlight = new client.Gauge({
    name: 'relay_deliveries_in_flight',
    help: 'Deliveries claimed by this worker and not yet recorded.',
    registers: [this.registry],
  });
  readonly subscriptionsDisabled = new client.Counter({
    name: 'relay_subscriptions_disabled_total',
    help: 'Subscriptions disabled by the dispatcher (410, receiver request, failing too long).',
    registers: [this.registry],
  });
  readonly wsClientsGauge = new client.Gauge({
    name: 'relay_ws_clients',
    help: 'Connected WebSocket clients.',
    registers: [this.registry],
  });
  readonly wsMessages = new client.Counter({
    name: 'relay_ws_messages_total',
    help: 'Event messages written to WebSocket clients.',
    registers: [this.registry],
  });
  readonly wsDisconnects = new client.Counter({
    name: 'relay_ws_disconnects_total',
    help: 'WebSocket disconnects by reason (slow, heartbeat, client, shutdown, revoked).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly apiRequests = new client.Counter({
    name: 'relay_api_requests_total',
    help: 'Authenticated API requests by route and status class.',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly apiKeyChecks = new client.Counter({
    name: 'relay_api_key_checks_total',
    help: 'API key checks by outcome (cached, verified, rejected).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'relay_' });
  }

  recordDelivery(succeeded: boolean, durationMs: number): void {
    if (succeeded) this.totals.deliveriesSucceeded++;
    else this.totals.deliveriesFailed++;
    this.deliveryAttempts.inc({ result: succeeded ? 'succeeded' : 'failed' });
    this.deliveryDuration.observe(durationMs / 1000);
  }

  setWsClients(n: number): void {
    this.wsClients = n;
    this.wsClientsGauge.set(n);
  }

  countWsMessages(n: number): void {
    this.totals.wsMessages += n;
    this.wsMessages.inc(n);
  }

  countWsDisconnect(reason: string): void {
    if (reason === 'slow') this.totals.wsSlowDisconnects++;
    this.wsDisconnects.inc({ reason });
  }

  countApiRequest(route: string, statusCode: number): void {
    this.totals.apiRequests++;
    this.apiRequests.inc({ route, status: `${Math.floor(statusCode / 100)}xx` });
  }
}
