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

  private readonly counter = <L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ) => new client.Counter<L>({ name, help, labelNames, registers: [this.registry] });
  private readonly gauge = (name: string, help: string) =>
    new client.Gauge({ name, help, registers: [this.registry] });

  readonly deliveryAttempts = this.counter(
    'relay_delivery_attempts_total',
    'Webhook delivery attempts by result (succeeded, failed).',
    ['result'],
  );
  readonly deliveryDuration = new client.Histogram({
    name: 'relay_delivery_attempt_duration_seconds',
    help: 'Duration of webhook delivery attempts.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [this.registry],
  });
  readonly deliveriesInFlight = this.gauge(
    'relay_deliveries_in_flight',
    'Deliveries claimed by this worker and not yet recorded.',
  );
  readonly subscriptionsDisabled = this.counter(
    'relay_subscriptions_disabled_total',
    'Subscriptions disabled by the dispatcher (410, receiver request, failing too long).',
  );
  readonly wsClientsGauge = this.gauge('relay_ws_clients', 'Connected WebSocket clients.');
  readonly wsMessages = this.counter(
    'relay_ws_messages_total',
    'Event messages written to WebSocket clients.',
  );
  readonly wsDisconnects = this.counter(
    'relay_ws_disconnects_total',
    'WebSocket disconnects by reason (slow, heartbeat, client, shutdown, revoked).',
    ['reason'],
  );
  readonly apiRequests = this.counter(
    'relay_api_requests_total',
    'Authenticated API requests by route and status class.',
    ['route', 'status'],
  );
  readonly apiKeyChecks = this.counter(
    'relay_api_key_checks_total',
    'API key checks by outcome (cached, verified, rejected, throttled: refused without bcrypt).',
    ['outcome'],
  );

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'relay_' });
  }

  /**
   * `relay_event_appends_waiting`: appends of this worker waiting for an earlier one to finish
   * (the event store runs them one at a time). Read at scrape time; above zero for long means
   * its own database answers slower than events arrive.
   */
  watchAppends(store: { readonly appendsWaiting: number }): void {
    new client.Gauge({
      name: 'relay_event_appends_waiting',
      help: "Event appends waiting for this worker's previous append to finish.",
      registers: [this.registry],
      collect() {
        this.set(store.appendsWaiting);
      },
    });
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
