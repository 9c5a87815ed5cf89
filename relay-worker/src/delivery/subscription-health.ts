import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { StatusBoard } from '../status/status-board.js';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import type { AttemptRecord } from './record-attempts.js';
import { healthEvent, type HealthEventAppender } from './subscription-health-events.js';
import {
  disableSubscription,
  updateSubscriptionHealth,
  type SubscriptionHealth,
} from './subscription-health-store.js';
import type { SubscriptionStore } from './subscription-store.js';

/** How often a healthy subscription's counters (last_success_at) are refreshed. */
const HEALTH_REFRESH_MS = 5000;

/** Thresholds of the health tracker. */
export interface HealthThresholds {
  /** Disable a subscription after only failures for this long. */
  disableAfterMs: number;
  /** Send `subscription.failing` after only failures for this long. */
  failingAfterMs: number;
}

/**
 * Subscription health for the dispatcher: writes the failure-run counters after each batch
 * (for a healthy subscription at most every few seconds, so a healthy stream costs no extra
 * statement per batch), reports `subscription.failing` / `subscription.recovered` /
 * `subscription.disabled` events, and disables subscriptions — on 410 / `webhook-delivery:
 * disable`, or after only failures for `disableAfterMs` — with an `error_log` entry for the admin.
 */
export class SubscriptionHealthTracker {
  /** Per subscription: known healthy (no failure run) and when its counters were last written. */
  private readonly written = new Map<string, { ok: boolean; at: number }>();

  constructor(
    private readonly deps: {
      pool: pg.Pool;
      subscriptions: SubscriptionStore;
      status: StatusBoard;
      metrics: RelayMetrics;
      log: Logger;
      events?: HealthEventAppender;
    },
    private readonly limits: HealthThresholds,
  ) {}

  /** Writes the counters of the subscriptions in `records` that need it; returns their state. */
  async write(records: AttemptRecord[]): Promise<SubscriptionHealth[]> {
    const now = Date.now();
    const due = new Set<string>();
    for (const r of records) {
      const known = this.written.get(r.subscriptionId);
      if (!r.succeeded || !known || !known.ok || now - known.at >= HEALTH_REFRESH_MS)
        due.add(r.subscriptionId);
    }
    if (due.size === 0) return [];
    const mine = records.filter((r) => due.has(r.subscriptionId));
    const health = await updateSubscriptionHealth(this.deps.pool, mine, this.limits.failingAfterMs);
    for (const h of health) this.written.set(h.id, { ok: h.failingSince === null, at: now });
    await this.report(health, mine);
    return health;
  }

  /** Disables the subscriptions the receivers asked to stop, and those failing for too long. */
  async applyDisables(
    requested: (readonly [subscriptionId: string, reason: string])[],
    health: SubscriptionHealth[],
  ): Promise<void> {
    const reasons = new Map<string, string>(requested);
    const now = Date.now();
    for (const h of health) {
      if (
        h.enabled &&
        h.failingSince &&
        now - h.failingSince.getTime() >= this.limits.disableAfterMs &&
        !reasons.has(h.id)
      ) {
        reasons.set(h.id, `only failures since ${h.failingSince.toISOString()}`);
      }
    }
    for (const [id, reason] of reasons) {
      try {
        const done = await disableSubscription(this.deps.pool, id, reason);
        if (!done) continue;
        this.deps.subscriptions.markDisabled(id);
        this.deps.metrics.subscriptionsDisabled.inc();
        this.deps.log.warn({ subscriptionId: id, reason }, 'webhook subscription disabled');
        await this.deps.status
          .notify({
            kind: 'error',
            id: done.errorId,
            component: 'delivery',
            severity: 'error',
            code: 'SUBSCRIPTION_DISABLED',
          })
          .catch(() => undefined);
        await this.append('subscription.disabled', id, {
          reason,
          failingSince: done.failingSince,
          at: done.at,
        });
      } catch (err) {
        this.deps.log.warn({ subscriptionId: id, err: coerceError(err) }, 'could not disable subscription');
      }
    }
  }

  private async report(health: SubscriptionHealth[], records: AttemptRecord[]): Promise<void> {
    for (const h of health) {
      if (h.becameFailing && h.failingSince) {
        const last = records.filter((r) => r.subscriptionId === h.id && !r.succeeded).at(-1);
        this.deps.log.warn(
          { subscriptionId: h.id, failingSince: h.failingSince },
          'webhook subscription failing',
        );
        await this.append('subscription.failing', h.id, {
          failingSince: h.failingSince,
          consecutiveFailures: h.consecutiveFailures,
          lastStatusCode: last?.statusCode ?? null,
          lastError: last?.error ?? null,
          disableAt: new Date(h.failingSince.getTime() + this.limits.disableAfterMs),
          at: new Date(),
        });
      }
      if (h.recoveredFrom) {
        this.deps.log.info({ subscriptionId: h.id }, 'webhook subscription recovered');
        await this.append('subscription.recovered', h.id, { failingSince: h.recoveredFrom, at: new Date() });
      }
    }
  }

  private async append(
    type: 'subscription.failing' | 'subscription.disabled' | 'subscription.recovered',
    id: string,
    fields: Record<string, unknown>,
  ): Promise<void> {
    if (!this.deps.events) return;
    const sub = this.deps.subscriptions.get(id);
    try {
      await this.deps.events.append([
        healthEvent(type, { id, name: sub?.name ?? id, url: sub?.url ?? '' }, fields),
      ]);
    } catch (err) {
      this.deps.log.warn(
        { subscriptionId: id, type, err: coerceError(err) },
        'could not record a health event',
      );
    }
  }
}
