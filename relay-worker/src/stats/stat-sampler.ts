import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { RelayMetrics } from './relay-metrics.js';

/** Where live figures are published for the admin (the worker heartbeat). */
export interface StatSink {
  setStat(name: string, value: unknown): void;
}

/**
 * Turns the running totals of {@link RelayMetrics} into the figures the admin shows: every
 * minute one `stat_samples` row per metric (counters as per-minute differences; several
 * workers add up into the same row), and every `liveEveryMs` the heartbeat's stats.
 */
export class StatSampler {
  private last: RelayMetrics['totals'];
  private lastAt = Date.now();
  private minuteTimer: NodeJS.Timeout | undefined;
  private liveTimer: NodeJS.Timeout | undefined;
  private perMinute = {
    deliveriesOkPerMin: 0,
    deliveriesFailedPerMin: 0,
    apiRequestsPerMin: 0,
    wsMessagesPerMin: 0,
  };

  constructor(
    private readonly pool: pg.Pool,
    private readonly metrics: RelayMetrics,
    private readonly sink: StatSink,
    private readonly log: Logger,
  ) {
    this.last = { ...metrics.totals };
  }

  start(liveEveryMs = 5000): void {
    const untilNextMinute = 60_000 - (Date.now() % 60_000);
    this.minuteTimer = setTimeout(() => {
      void this.sample();
      this.minuteTimer = setInterval(() => void this.sample(), 60_000);
      this.minuteTimer.unref();
    }, untilNextMinute);
    this.minuteTimer.unref();
    this.publish();
    this.liveTimer = setInterval(() => this.publish(), liveEveryMs);
    this.liveTimer.unref();
  }

  stop(): void {
    clearTimeout(this.minuteTimer);
    clearInterval(this.minuteTimer);
    clearInterval(this.liveTimer);
  }

  private publish(): void {
    this.sink.setStat('wsClients', this.metrics.wsClients);
    for (const [k, v] of Object.entries(this.perMinute)) this.sink.setStat(k, v);
    this.sink.setStat('wsSlowDisconnects', this.metrics.totals.wsSlowDisconnects);
  }

  /** Writes the samples of the minute that just ended. */
  async sample(now = Date.now()): Promise<void> {
    const t = { ...this.metrics.totals };
    const scale = 60_000 / Math.max(1000, now - this.lastAt);
    const d = (k: keyof typeof t) => t[k] - this.last[k];
    this.perMinute = {
      deliveriesOkPerMin: Math.round(d('deliveriesSucceeded') * scale),
      deliveriesFailedPerMin: Math.round(d('deliveriesFailed') * scale),
      apiRequestsPerMin: Math.round(d('apiRequests') * scale),
      wsMessagesPerMin: Math.round(d('wsMessages') * scale),
    };
    const samples: [string, number][] = [
      ['ws_clients', this.metrics.wsClients],
      ['deliveries_succeeded', d('deliveriesSucceeded')],
      ['deliveries_failed', d('deliveriesFailed')],
      ['api_requests', d('apiRequests')],
      ['ws_messages', d('wsMessages')],
      ['ws_slow_disconnects', d('wsSlowDisconnects')],
    ];
    this.last = t;
    this.lastAt = now;
    this.publish();
    const bucket = new Date(Math.floor((now - 1000) / 60_000) * 60_000); // the minute that just ended
    try {
      await this.pool.query(
        `INSERT INTO stat_samples (metric, bucket, value) SELECT m, $2, v FROM unnest($1::text[], $3::float8[]) AS s(m, v)
         ON CONFLICT (metric, bucket) DO UPDATE SET value = stat_samples.value + EXCLUDED.value`,
        [samples.map(([m]) => m), bucket, samples.map(([, v]) => v)],
      );
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, 'could not write stat samples');
    }
  }
}
